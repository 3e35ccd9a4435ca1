import type { TRPCRouterRecord } from '@trpc/server'
import {
  ZRuleCheckInput,
  ZRuleDeleteDraftInput,
  ZRulePublishInput,
  ZRuleRollbackInput,
  ZRuleSaveDraftInput,
  ZRuleVersionInput,
  ZSuppressedInput,
} from '@anomalyze/shared'
import { checkExpression, deleteDraft, saveDraft } from '../../services/rules/rule-drafts.ts'
import { listVersions, publishDrafts, rollbackTo, versionDetail } from '../../services/rules/rule-versions.ts'
import { draftRowOf, rulesInForce, rulesOverview } from '../../services/rules/rules-overview.ts'
import { listSuppressed } from '../../services/rules/suppressed-alerts.ts'
import { allowed } from '../init.ts'

const readProcedure = allowed('rules:read')
const draftProcedure = allowed('rules:draft')
/** Publishing changes what ingestion raises from the next transaction on: admins only. */
const publishProcedure = allowed('rules:publish')

export const rulesRouter = {
  list: readProcedure.query(({ ctx }) => rulesOverview(ctx.db, ctx.orgId)),
  check: readProcedure.input(ZRuleCheckInput).query(({ ctx, input }) => checkExpression(ctx.db, ctx.orgId, input.expression)),
  /** Refused (BAD_INPUT, `details.errors` with line and column) when the rule does not check. */
  saveDraft: draftProcedure
    .input(ZRuleSaveDraftInput)
    .mutation(async ({ ctx, input }) => draftRowOf(ctx.db, ctx.orgId, await saveDraft(ctx.db, ctx.actor, input))),
  deleteDraft: draftProcedure.input(ZRuleDeleteDraftInput).mutation(({ ctx, input }) => deleteDraft(ctx.db, ctx.actor, input.id)),
  /** CONFLICT { reason: 'not_backtested' | 'over_budget' } unless `confirmed`. */
  publish: publishProcedure.input(ZRulePublishInput).mutation(({ ctx, input }) => publishDrafts(ctx.db, ctx.actor, input)),
  rollback: publishProcedure.input(ZRuleRollbackInput).mutation(({ ctx, input }) => rollbackTo(ctx.db, ctx.actor, input)),
  versions: readProcedure.query(({ ctx }) => listVersions(ctx.db, ctx.orgId)),
  version: readProcedure.input(ZRuleVersionInput).query(({ ctx, input }) => versionDetail(ctx.db, ctx.orgId, input.version)),
  inForce: readProcedure.query(({ ctx }) => rulesInForce(ctx.db, ctx.orgId)),
  suppressed: readProcedure.input(ZSuppressedInput).query(({ ctx, input }) => listSuppressed(ctx.db, ctx.orgId, input)),
} satisfies TRPCRouterRecord
