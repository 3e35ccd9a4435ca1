import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { AppServices } from '../../src/services/service-deps.ts'
import type { Session } from '../../src/auth/session.ts'
import type { Db } from '../../src/db/prisma.ts'
import { appRouter } from '../../src/trpc/app-router.ts'
import { createContextInner } from '../../src/trpc/context.ts'
import { createCallerFactory } from '../../src/trpc/init.ts'
import { loadEnv } from '../../src/env.ts'
import { createBillingGatewayProvider } from '../../src/services/razorpay/razorpay-client.ts'
import { createMailer } from '../../src/services/email/mailer.ts'
import { createTwilioClient } from '../../src/services/twilio/twilio-client.ts'
import { createModelRegistry } from '../../src/services/models/model-registry.ts'
import { createLocalFolderStore } from '../../src/storage/local-folder-store.ts'
import { createLinkSigner } from '../../src/storage/signed-links.ts'
import { testLogger } from './silent-logger.ts'

const createCaller = createCallerFactory(appRouter)

/**
 * Calls procedures directly (no HTTP) as the given person, by default in their own
 * workspace (organisation id = user id) as its admin. Pass `services` from
 * createTestServices when the procedure uses the job queue; by default a temporary
 * object store and no queue.
 */
export function callerFor(db: Db, userId: string, overrides: Partial<Session> = {}, services: AppServices = defaultServices()) {
  const session: Session = { orgId: userId, userId, role: 'ADMIN', name: userId, via: 'local', scopes: 'all', ...overrides }
  return createCaller(createContextInner({ db, services, log: testLogger, session }))
}

let shared: AppServices | undefined
function defaultServices(): AppServices {
  if (shared) return shared
  const storage = createLocalFolderStore({
    root: mkdtempSync(path.join(os.tmpdir(), 'anomalyze-objects-')),
    signer: createLinkSigner('test-link-secret-0123456789'),
    publicUrl: () => 'http://127.0.0.1:1',
  })
  const env = loadEnv({})
  shared = {
    env,
    storage,
    models: createModelRegistry({ storage, log: testLogger }),
    jobs: {
      send: noQueue,
      work: noQueue,
      workBatch: noQueue,
      schedule: noQueue,
      get boss(): never {
        return noQueue()
      },
      stop: async () => {},
    },
    publicUrl: () => 'http://127.0.0.1:1',
    mailer: createMailer(env),
    twilio: createTwilioClient(env),
    billing: createBillingGatewayProvider(env),
    localTokens: null,
  }
  return shared
}

function noQueue(): never {
  throw new Error('This caller has no job queue: pass services from createTestServices({ databaseUrl })')
}
