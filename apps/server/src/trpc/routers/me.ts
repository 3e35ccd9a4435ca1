import type { TRPCRouterRecord } from '@trpc/server'
import { userProfile } from '../../services/users/user-profile.ts'
import { protectedProcedure } from '../init.ts'

export const meRouter = {
  /** Who the console is signed in as, and how. */
  get: protectedProcedure.query(({ ctx }) => userProfile(ctx.db, ctx.session)),
} satisfies TRPCRouterRecord
