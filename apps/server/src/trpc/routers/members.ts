import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { addMember, changeMemberRole, listMembers, removeMember, ZAddMemberInput, ZRole } from '../../services/organizations/manage-members.ts'
import { allowed } from '../init.ts'

const ZUserId = z.string().min(1).max(200)

/** The organisation's people and their roles (Members view; adding is local mode's, Clerk invites otherwise). */
export const membersRouter = {
  list: allowed('members:read').query(({ ctx }) => listMembers(ctx.db, ctx.orgId)),
  add: allowed('members:manage')
    .input(ZAddMemberInput)
    .mutation(({ ctx, input }) => addMember(ctx.db, ctx.services.localTokens, ctx.actor, input)),
  changeRole: allowed('members:manage')
    .input(z.strictObject({ userId: ZUserId, role: ZRole }))
    .mutation(({ ctx, input }) => changeMemberRole(ctx.db, ctx.actor, input.userId, input.role)),
  remove: allowed('members:manage')
    .input(z.strictObject({ userId: ZUserId }))
    .mutation(({ ctx, input }) => removeMember(ctx.db, ctx.actor, input.userId)),
} satisfies TRPCRouterRecord
