import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { AppServices } from '../../src/services/service-deps.ts'
import { loadEnv, type ServerEnv } from '../../src/env.ts'
import { createBillingGatewayProvider } from '../../src/services/razorpay/razorpay-client.ts'
import { createMailer } from '../../src/services/email/mailer.ts'
import { createTwilioClient } from '../../src/services/twilio/twilio-client.ts'
import { createModelRegistry } from '../../src/services/models/model-registry.ts'
import { startJobQueue, type JobQueue } from '../../src/jobs/job-queue.ts'
import { createLocalFolderStore } from '../../src/storage/local-folder-store.ts'
import { createLinkSigner } from '../../src/storage/signed-links.ts'
import { testLogger } from './silent-logger.ts'

export interface TestServices extends AppServices {
  objectDir: string
  close(): Promise<void>
}

/**
 * Services for procedure tests: a real local-folder store in a temporary folder and,
 * when `databaseUrl` is given, a real pg-boss queue on that test database. Without
 * one, any use of the queue fails loudly, so a test never silently skips its jobs.
 */
export async function createTestServices(options: { databaseUrl?: string; env?: Record<string, string> } = {}): Promise<TestServices> {
  const objectDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-objects-'))
  const env: ServerEnv = loadEnv({ ...options.env })
  const publicUrl = (): string => 'http://127.0.0.1:1'
  const storage = createLocalFolderStore({ root: objectDir, signer: createLinkSigner('test-link-secret-0123456789'), publicUrl })
  const jobs =
    options.databaseUrl === undefined
      ? jobsNotStarted
      : await startJobQueue({ databaseUrl: options.databaseUrl, log: testLogger, pollingIntervalSeconds: 0.5, schedule: false })
  // Built from the test's env as start-app.ts does (the SMTP sink, Twilio and Razorpay stubs).
  const mailer = createMailer(env)
  return {
    env,
    storage,
    jobs,
    models: createModelRegistry({ storage, log: testLogger }),
    publicUrl,
    mailer,
    twilio: createTwilioClient(env),
    billing: createBillingGatewayProvider(env),
    localTokens: null,
    objectDir,
    async close() {
      if (jobs !== jobsNotStarted) await jobs.stop()
      mailer?.close()
      rmSync(objectDir, { recursive: true, force: true })
    },
  }
}

const notStarted = (): never => {
  throw new Error('This test has no job queue: create its services with createTestServices({ databaseUrl })')
}

const jobsNotStarted: JobQueue = {
  send: notStarted,
  work: notStarted,
  workBatch: notStarted,
  schedule: notStarted,
  get boss(): never {
    return notStarted()
  },
  stop: async () => {},
}
