// Starts the product: database (embedded unless DATABASE_URL), migrations, demo
// account, API server. `pnpm start` at the repository root runs this after setup.
import { parseArgs } from 'node:util'
import { startApp } from '../app/start-app.ts'
import { leavePostgresShutdownToServer } from '../db/embedded-postgres.ts'
import { ConfigError, loadEnv } from '../env.ts'
import { createLogger } from '../logger.ts'
import { LOCAL_USER_ID } from '../auth/local-authenticator.ts'
import { seedDemoAccount } from '../seed/seed-demo-account.ts'

const HELP = `anomalyze-server: the Anomalyze API server

Usage: pnpm --filter @anomalyze/server start [--no-seed]

Environment (all optional):
  DATABASE_URL              Postgres to use; without it an embedded Postgres runs in the data dir
  ANOMALYZE_DATA_DIR        data dir (default: per-user app-data folder)
  HOST, PORT                where to listen (default 127.0.0.1:4000)
  PG_PORT                   embedded Postgres port (default 54329)
  LOG_LEVEL                 fatal|error|warn|info|debug|trace|silent (default info)
  LOG_FORMAT                json|pretty (default: pretty in a terminal, JSON when piped)
  CLERK_JWT_KEY             Clerk instance PEM public key: enables Clerk sign-in
  CLERK_ISSUER              expected Clerk token issuer (Frontend API URL)
  CLERK_AUTHORIZED_PARTIES  comma-separated origins allowed in the azp claim
  PUBLIC_URL                base URL in e-mail and download links
  S3_BUCKET, S3_ENDPOINT... object storage (default: <data dir>/objects)
  SMTP_HOST, SMTP_PORT...   e-mail alerts and reports
  TWILIO_ACCOUNT_SID...     SMS and voice alerts
  RAZORPAY_KEY_ID...        billing
  Every variable, grouped, with its default: docs/configuration.md

Options:
  --no-seed   do not create the local demo account's data
  -h, --help  show this help
`

const { values } = parseArgs({
  options: { help: { type: 'boolean', short: 'h' }, 'no-seed': { type: 'boolean' } },
})
if (values.help) {
  process.stdout.write(HELP)
  process.exit(0)
}

let env
try {
  env = loadEnv()
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`${error.message}\nThe server did not start. See --help for the variables.`)
    process.exit(1)
  }
  throw error
}

const log = createLogger(env.LOG_LEVEL, env.LOG_FORMAT)
try {
  const app = await startApp(env, log)
  if (app.localToken && !values['no-seed']) {
    await seedDemoAccount(app.db, app.services.models, log, { id: LOCAL_USER_ID, name: 'Local analyst' })
  }
  log.info({ url: app.url, dataDir: app.dataDir }, 'Anomalyze server ready')
  if (app.localToken) {
    log.info({ tokenFile: `${app.dataDir}/local-session.json` }, 'local mode: the console signs in with the token in this file')
    log.info('local mode: add a teammate with `pnpm anomalyze-server users add "Name" --role analyst` (prints their token); `users list` shows the team')
  }
  let signals = 0
  const shutdown = (signal: string): void => {
    signals += 1
    if (signals > 1) process.exit(1)
    log.info({ signal }, 'shutting down')
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  // Our shutdown stops the embedded Postgres last, after the workers' connections close.
  leavePostgresShutdownToServer()
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  // A closed terminal: stop as cleanly as on Ctrl+C (the embedded Postgres with us).
  process.on('SIGHUP', () => shutdown('SIGHUP'))
  // Once shutting down, a query still in flight when Postgres stops (a job past the
  // grace period, a pool reconnecting) fails with "the database system is shutting
  // down": expected then, so logged instead of crashing the exit. Before that, an
  // unhandled rejection is a bug, and ends the process as Node would.
  process.on('unhandledRejection', (reason) => {
    if (signals > 0) {
      log.warn({ err: reason }, 'a late database call failed during shutdown')
      return
    }
    log.fatal({ err: reason }, 'unhandled promise rejection')
    process.exit(1)
  })
} catch (error) {
  log.fatal(error instanceof Error ? error.message : String(error))
  // Exit explicitly: embedded-postgres installs exit hooks that would end with 0.
  process.exit(1)
}
