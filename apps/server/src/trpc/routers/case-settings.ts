import type { TRPCRouterRecord } from '@trpc/server'
import { getCaseSettings, setOnDuty, updateCaseSettings, ZCaseSettingsUpdate, ZSetOnDutyInput } from '../../services/cases/case-settings.ts'
import { allowed } from '../init.ts'

/** The organisation's case settings: SLA per priority, round-robin assignment, who is on duty. */
export const caseSettingsRouter = {
  get: allowed('cases:read').query(({ ctx }) => getCaseSettings(ctx.db, ctx.orgId)),
  /** SLA minutes by priority (each within MIN/MAX_SLA_MINUTES) and round-robin on or off; open cases get their new due times. */
  update: allowed('cases:manage')
    .input(ZCaseSettingsUpdate)
    .mutation(({ ctx, input }) => updateCaseSettings(ctx.db, ctx.actor, input)),
  /** An admin for anyone, an analyst for themself (checked in the service: it depends on whom). */
  setOnDuty: allowed('cases:work')
    .input(ZSetOnDutyInput)
    .mutation(({ ctx, input }) => setOnDuty(ctx.db, { ...ctx.actor, role: ctx.session.apiKeyId === undefined ? ctx.session.role : null }, input)),
} satisfies TRPCRouterRecord
