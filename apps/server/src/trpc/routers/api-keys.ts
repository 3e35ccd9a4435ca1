import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { createApiKey, listApiKeys, revokeApiKey, ZCreateApiKeyInput } from '../../services/api-keys/manage-api-keys.ts'
import { allowed } from '../init.ts'
import { ZRowId } from '../inputs.ts'

export const apiKeysRouter = {
  /** Returns the secret once; only its bcrypt hash is kept. */
  create: allowed('api-keys:manage')
    .input(ZCreateApiKeyInput)
    .mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.actor, input)),
  list: allowed('api-keys:manage').query(({ ctx }) => listApiKeys(ctx.db, ctx.orgId)),
  revoke: allowed('api-keys:manage')
    .input(z.object({ id: ZRowId }))
    .mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.actor, input.id)),
} satisfies TRPCRouterRecord
