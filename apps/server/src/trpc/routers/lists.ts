import type { TRPCRouterRecord } from '@trpc/server'
import { ZListAddEntriesInput, ZListCreateInput, ZListDeleteInput, ZListEntriesInput, ZListImportInput, ZListRemoveEntriesInput } from '@anomalyze/shared'
import { addListEntries, createList, deleteList, importListCsv, listEntries, listLists, removeListEntries } from '../../services/rules/lists.ts'
import { allowed } from '../init.ts'

const readProcedure = allowed('rules:read')
/** Lists are live (the next transaction is checked against them): changing one is publishing. */
const changeProcedure = allowed('rules:publish')

export const listsRouter = {
  list: readProcedure.query(({ ctx }) => listLists(ctx.db, ctx.orgId)),
  entries: readProcedure.input(ZListEntriesInput).query(({ ctx, input }) => listEntries(ctx.db, ctx.orgId, input)),
  create: changeProcedure.input(ZListCreateInput).mutation(({ ctx, input }) => createList(ctx.db, ctx.actor, input)),
  /** Refused (CONFLICT, naming the rules) while a draft or the rule set in force names the list. */
  delete: changeProcedure.input(ZListDeleteInput).mutation(({ ctx, input }) => deleteList(ctx.db, ctx.actor, input.id)),
  addEntries: changeProcedure.input(ZListAddEntriesInput).mutation(({ ctx, input }) => addListEntries(ctx.db, ctx.actor, input)),
  removeEntries: changeProcedure.input(ZListRemoveEntriesInput).mutation(({ ctx, input }) => removeListEntries(ctx.db, ctx.actor, input)),
  /** The good lines are stored in one transaction; each bad line comes back with its number. */
  importCsv: changeProcedure.input(ZListImportInput).mutation(({ ctx, input }) => importListCsv(ctx.db, ctx.actor, input)),
} satisfies TRPCRouterRecord
