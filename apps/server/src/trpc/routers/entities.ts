import type { TRPCRouterRecord } from '@trpc/server'
import { ZEntityRef, ZEntityTransactionsInput } from '@anomalyze/shared'
import { entityProfile } from '../../services/entities/entity-profile.ts'
import { entityTransactions } from '../../services/entities/entity-transactions.ts'
import { featureConfigFor } from '../../services/entities/feature-config-for.ts'
import { allowed } from '../init.ts'

const readProcedure = allowed('transactions:read')

/** The entity view: an account's or merchant's profile and transactions. */
export const entitiesRouter = {
  profile: readProcedure
    .input(ZEntityRef)
    .query(async ({ ctx, input }) => entityProfile(ctx.db, ctx.orgId, input, await featureConfigFor(ctx.services.models, ctx.db, ctx.orgId))),
  transactions: readProcedure.input(ZEntityTransactionsInput).query(({ ctx, input }) => entityTransactions(ctx.db, ctx.orgId, input)),
} satisfies TRPCRouterRecord
