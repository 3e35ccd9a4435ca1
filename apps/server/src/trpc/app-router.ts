import { anomaliesRouter } from './routers/anomalies.ts'
import { apiKeysRouter } from './routers/api-keys.ts'
import { auditRouter } from './routers/audit.ts'
import { billingRouter } from './routers/billing.ts'
import { batchJobsRouter } from './routers/batch-jobs.ts'
import { ingestRouter } from './routers/ingest.ts'
import { meRouter } from './routers/me.ts'
import { membersRouter } from './routers/members.ts'
import { reportsRouter } from './routers/reports.ts'
import { notificationsRouter } from './routers/notifications.ts'
import { modelsRouter } from './routers/models.ts'
import { trainingRouter } from './routers/training.ts'
import { syncRouter } from './routers/sync.ts'
import { transactionsRouter } from './routers/transactions.ts'
import { casesRouter } from './routers/cases.ts'
import { caseSettingsRouter } from './routers/case-settings.ts'
import { entitiesRouter } from './routers/entities.ts'
import { teamRouter } from './routers/team.ts'
import { rulesRouter } from './routers/rules.ts'
import { listsRouter } from './routers/lists.ts'
import { ruleBacktestsRouter } from './routers/rule-backtests.ts'
import { router } from './init.ts'

export const appRouter = router({
  me: meRouter,
  members: membersRouter,
  apiKeys: apiKeysRouter,
  ingest: ingestRouter,
  transactions: transactionsRouter,
  anomalies: anomaliesRouter,
  sync: syncRouter,
  billing: billingRouter,
  audit: auditRouter,
  reports: reportsRouter,
  batchJobs: batchJobsRouter,
  notifications: notificationsRouter,
  models: modelsRouter,
  training: trainingRouter,
  cases: casesRouter,
  caseSettings: caseSettingsRouter,
  entities: entitiesRouter,
  team: teamRouter,
  rules: rulesRouter,
  lists: listsRouter,
  ruleBacktests: ruleBacktestsRouter,
})

/** The one type clients import: `import type { AppRouter } from '@anomalyze/server/router'`. */
export type AppRouter = typeof appRouter
