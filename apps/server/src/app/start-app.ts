import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createClerkAuthenticator } from '../auth/clerk-authenticator.ts'
import { createLocalAuthenticator, mintLocalToken, readOrCreateLocalSecret } from '../auth/local-authenticator.ts'
import { createApiKeyAuthenticator } from '../auth/api-key-authenticator.ts'
import { createAuthThrottle } from '../auth/auth-throttle.ts'
import { installRetryAfterHeader } from '../auth/retry-after-header.ts'
import { routeByToken } from '../auth/route-by-token.ts'
import { throttleUserTokens } from '../auth/throttled-user-authenticator.ts'
import type { Authenticator } from '../auth/session.ts'
import { defaultAppDataDir } from '../db/app-data-dir.ts'
import { createPrismaClient, type Db } from '../db/prisma.ts'
import { flushRealtimeUsage } from '../services/limits/realtime-usage.ts'
import { flushGatheredAlerts } from '../services/notifications/alert-coalescer.ts'
import type { ServerEnv } from '../env.ts'
import { buildServer } from '../http/build-server.ts'
import type { Logger } from '../logger.ts'
import { registerWorkers } from './register-workers.ts'
import { startJobQueue, type JobQueue } from '../jobs/job-queue.ts'
import { createModelRegistry } from '../services/models/model-registry.ts'
import { createBillingGatewayProvider } from '../services/razorpay/razorpay-client.ts'
import { createMailer } from '../services/email/mailer.ts'
import { createTwilioClient } from '../services/twilio/twilio-client.ts'
import { createObjectStore } from '../storage/create-object-store.ts'
import { createLinkSigner } from '../storage/signed-links.ts'
import { ensurePrivateDir, PRIVATE_DIR_MODE, writePrivateFileSync } from '@anomalyze/shared/node'
import { privatizeTree, TRAVERSE_ONLY_DIR_MODE } from '../storage/private-files.ts'
import type { AppServices, LocalTokenMinter } from '../services/service-deps.ts'
import { seedPlans } from '../services/billing/plans.ts'
import { openDatabase } from './open-database.ts'

export interface RunningApp {
  url: string
  db: Db
  databaseUrl: string
  dataDir: string
  /** Local mode only: the token the console signs in with. */
  localToken: string | null
  server: Awaited<ReturnType<typeof buildServer>>
  services: AppServices
  stop(): Promise<void>
}

/** Everything the product needs, in order: data dir, database, auth, HTTP. */
export async function startApp(env: ServerEnv, log: Logger): Promise<RunningApp> {
  const dataDir = env.ANOMALYZE_DATA_DIR ?? defaultAppDataDir(process.platform, env)
  await makeDataDirPrivate(env, dataDir)
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir, pgPort: env.PG_PORT, log })
  const db = createPrismaClient(database.url)
  // The plans on offer exist on every server, demo data or not (only missing ones are added).
  await seedPlans(db)

  let userAuthenticator: Authenticator
  let localToken: string | null = null
  let localTokens: LocalTokenMinter | null = null
  if (env.CLERK_JWT_KEY) {
    userAuthenticator = createClerkAuthenticator({
      jwtKey: env.CLERK_JWT_KEY,
      issuer: env.CLERK_ISSUER,
      authorizedParties: env.CLERK_AUTHORIZED_PARTIES,
    })
    log.info('auth: Clerk session tokens (networkless verification)')
  } else {
    const secret = readOrCreateLocalSecret(dataDir)
    userAuthenticator = createLocalAuthenticator(secret)
    localToken = await mintLocalToken(secret)
    localTokens = { mint: ({ userId, name, orgId }) => mintLocalToken(secret, userId, { name, orgId }) }
    log.info('auth: local mode (teammates added with `anomalyze-server users add`); set CLERK_JWT_KEY for Clerk')
  }

  // Failed sign-ins are throttled per API key prefix and per client address (auth-throttle.ts).
  const throttle = createAuthThrottle()
  const authenticator = routeByToken(throttleUserTokens(userAuthenticator, throttle), createApiKeyAuthenticator(db, { throttle }))
  let listeningUrl = env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`
  const publicUrl = (): string => env.PUBLIC_URL ?? listeningUrl
  const linkSigner = createLinkSigner(env.FILE_LINK_SECRET ?? readOrCreateLinkSecret(dataDir))
  const storage = createObjectStore(env, dataDir, linkSigner, publicUrl)
  let jobs: JobQueue
  try {
    jobs = await startJobQueue({ databaseUrl: database.url, log, pollingIntervalSeconds: env.JOB_POLL_SECONDS })
  } catch (error) {
    await db.$disconnect()
    await database.close()
    throw error
  }
  const models = createModelRegistry({ storage, log })
  const mailer = createMailer(env)
  const services: AppServices = {
    env,
    storage,
    jobs,
    models,
    publicUrl,
    mailer,
    twilio: createTwilioClient(env),
    billing: createBillingGatewayProvider(env),
    localTokens,
  }
  const server = await buildServer({ db, log, authenticator, services, linkSigner })
  installRetryAfterHeader(server)
  try {
    await server.listen({ host: env.HOST, port: env.PORT })
  } catch (error) {
    await jobs.stop()
    mailer?.close()
    await db.$disconnect()
    await database.close()
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${env.PORT} on ${env.HOST} is already in use. Stop the other process or set PORT.`)
    }
    throw error
  }
  const address = server.server.address()
  const url = `http://${env.HOST}:${typeof address === 'object' && address ? address.port : env.PORT}`
  listeningUrl = url
  // Workers start once the API listens: a job may enqueue others or build links.
  await registerWorkers({ ...services, db, log })
  log.info({ storage: storage.kind }, 'job queue and workers running')
  if (localToken) {
    // The console (desktop or `console --web`) reads this to sign in on this machine.
    writePrivateFileSync(path.join(dataDir, 'local-session.json'), JSON.stringify({ serverUrl: url, token: localToken }))
  }

  let stopping: Promise<void> | null = null
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await server.close()
      await flushGatheredAlerts(jobs)
      await jobs.stop()
      // After the queue: a worker may still have been sending.
      mailer?.close()
      await flushRealtimeUsage(db).catch((error: unknown) => log.error({ err: error }, 'could not write the last real-time API usage'))
      await db.$disconnect()
      await database.close()
    })())
  return { url, db, databaseUrl: database.url, dataDir, localToken, server, services, stop }
}

/** Secret for local download links, kept beside the data it protects. */
function readOrCreateLinkSecret(dataDir: string): string {
  const file = path.join(dataDir, 'file-links.key')
  if (!existsSync(file)) writePrivateFileSync(file, randomBytes(32).toString('base64'))
  return readFileSync(file, 'utf8')
}

/**
 * This user only (private-files.ts): folders 0700, files 0600, set once on what an older
 * install left (0644 files in 0755 folders). The embedded cluster's folder is left to
 * embedded-postgres.ts; as root, with the embedded Postgres running as the `postgres`
 * user, the data dir itself is 0711 so that user can pass through to its cluster.
 */
async function makeDataDirPrivate(env: ServerEnv, dataDir: string): Promise<void> {
  const postgresPassesThrough = !env.DATABASE_URL && process.getuid?.() === 0
  const rootMode = postgresPassesThrough ? TRAVERSE_ONLY_DIR_MODE : PRIVATE_DIR_MODE
  ensurePrivateDir(dataDir, rootMode)
  // Walked only when it is this server's folder (not, by a mistaken setting, a home folder).
  const ours = ['objects', 'file-links.key', 'local-session.key', 'postgres'].some((name) => existsSync(path.join(dataDir, name)))
  if (ours && path.resolve(dataDir) !== path.resolve(os.homedir())) {
    await privatizeTree(dataDir, { skip: [path.join(dataDir, 'postgres')], rootMode })
  }
  if (env.OBJECT_STORE_DIR && !env.S3_BUCKET) {
    ensurePrivateDir(env.OBJECT_STORE_DIR)
    await privatizeTree(env.OBJECT_STORE_DIR)
  }
}
