import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import {
  MAX_CASE_PULL_PAGE,
  ZCasePullInput,
  ZCasePullOutput,
  ZCasePushInput,
  ZCasePushOutput,
  ZCaseEvent,
  ZCaseRow,
  ZMergeCasesInput,
  ZOpenCaseInput,
  ZSplitCaseInput,
  zSafeText,
} from '@anomalyze/shared'
import { getCase, listCases, pullCases, CASE_QUEUES } from '../../services/cases/read-cases.ts'
import { mergeCases, openCase, splitCase } from '../../services/cases/manage-cases.ts'
import { pushCaseActions } from '../../services/cases/push-case-actions.ts'
import { allowed } from '../init.ts'

const ZCaseListInput = z.object({
  queue: z.enum(CASE_QUEUES).optional(),
  cursor: z.string().max(200).nullable().optional(),
  limit: z.number().int().min(1).max(MAX_CASE_PULL_PAGE).optional(),
})

/** Cases: pull, push (the console outbox), get, list, open, merge, split (services/cases). */
export const casesRouter = {
  pull: allowed('cases:read')
    .input(ZCasePullInput)
    .output(ZCasePullOutput)
    .query(({ ctx, input }) => pullCases(ctx.db, ctx.orgId, input)),
  list: allowed('cases:read')
    .input(ZCaseListInput)
    .output(z.object({ items: z.array(ZCaseRow), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listCases(ctx.db, ctx.orgId, ctx.actor.userId, input)),
  get: allowed('cases:read')
    .input(z.object({ id: zSafeText(200, { min: 1 }) }))
    .output(z.object({ case: ZCaseRow, events: z.array(ZCaseEvent), anomalyIds: z.array(z.string()) }))
    .query(({ ctx, input }) => getCase(ctx.db, ctx.orgId, input.id)),
  push: allowed('cases:work')
    .input(ZCasePushInput)
    .output(ZCasePushOutput)
    .mutation(({ ctx, input }) =>
      pushCaseActions(ctx.db, { models: ctx.services.models, jobs: ctx.services.jobs, log: ctx.log }, { ...ctx.actor, role: ctx.session.role }, input.actions),
    ),
  open: allowed('cases:work')
    .input(ZOpenCaseInput)
    .output(ZCaseRow)
    .mutation(({ ctx, input }) => openCase(ctx.db, { ...ctx.actor, role: ctx.session.role }, input)),
  merge: allowed('cases:work')
    .input(ZMergeCasesInput)
    .output(ZCaseRow)
    .mutation(({ ctx, input }) => mergeCases(ctx.db, { ...ctx.actor, role: ctx.session.role }, input)),
  split: allowed('cases:work')
    .input(ZSplitCaseInput)
    .output(ZCaseRow)
    .mutation(({ ctx, input }) => splitCase(ctx.db, { ...ctx.actor, role: ctx.session.role }, input)),
} satisfies TRPCRouterRecord
