// The server's testing entry (`@anomalyze/server/testing`): what other packages' tests
// and benches need to start a real server and drive it, so they never reach into the
// server's folders by relative path. Test helpers stay under test/, out of src/.
// The run's Postgres that createTestDatabase injects is typed in global-setup.ts.
import type {} from './global-setup.ts'

export { startApp, type RunningApp } from '../src/app/start-app.ts'
export { loadEnv } from '../src/env.ts'
export { LOCAL_USER_ID } from '../src/auth/local-authenticator.ts'
export type { Db } from '../src/db/prisma.ts'
export { findFreePort } from '../src/net/find-free-port.ts'
export { ingestTransactions } from '../src/services/ingestion/ingest-transactions.ts'
export { seedPlans } from '../src/services/billing/plans.ts'
export { testLogger } from './helpers/silent-logger.ts'
export { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
export { shippedModelUpload } from './helpers/model-uploads.ts'
export { signWebhook, startRazorpayStub, webhookEvent, type RazorpayStub } from './helpers/razorpay-stub.ts'
