import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { createApiKey, listApiKeys, revokeApiKey, ZCreateApiKeyInput } from '../../services/api-keys/manage-api-keys.ts'
import { userProcedure } from '../init.ts'
import { ZRowId } from '../inputs.ts'

export const apiKeysRouter = {
  /** Returns the secret once; only its bcrypt hash is kept. */
  create: userProcedure.input(ZCreateApiKeyInput).mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.actor, input)),
  list: userProcedure.query(({ ctx }) => listApiKeys(ctx.db, ctx.userId)),
  revoke: userProcedure.input(z.object({ id: ZRowId })).mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.actor, input.id)),
} satisfies TRPCRouterRecord
