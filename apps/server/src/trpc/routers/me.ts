import type { TRPCRouterRecord } from '@trpc/server'
import { protectedProcedure } from '../init.ts'

export const meRouter = {
  /** Who the console is signed in as, and how. */
  get: protectedProcedure.query(async ({ ctx }) => {
    const user = await ctx.db.user.findUniqueOrThrow({
      where: { id: ctx.userId },
      select: { id: true, email: true, name: true, createdAt: true },
    })
    return { ...user, createdAt: user.createdAt.getTime(), mode: ctx.session.via }
  }),
} satisfies TRPCRouterRecord
