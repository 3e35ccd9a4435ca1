import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createCore } from './create-core.ts'
import { seedFixtureAnomalies } from './store/seed-fixtures.ts'
import { coreFiles, startWebServer } from './web-server.ts'

const HELP = `Anomalyze console (browser mode): the desktop console's core and UI on localhost.

Usage: pnpm --filter @anomalyze/desktop console --web [options]

Options:
  --web                 Serve the console UI and its local API (required for now)
  --port N              Port on 127.0.0.1 (default 5181; 0 picks a free one)
  --server URL          Anomalyze server to sync with (e.g. http://127.0.0.1:3000)
  --token T             Bearer token for that server (with --server: signs in at start)
  --clerk-key PK        Clerk publishable key: sign in with Clerk (default $ANOMALYZE_CLERK_PUBLISHABLE_KEY;
                        without one the console uses the server's local-mode token)
  --data-dir DIR        Local cache folder (default $ANOMALYZE_DATA_DIR or ~/.anomalyze/desktop)
  --seed-fixtures N     Fill an EMPTY cache with N generated fixture anomalies (dev, tests, bench)
  --renderer-dir DIR    Built renderer to serve (default apps/desktop/out/renderer)
  -h, --help            Show this help
`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      web: { type: 'boolean', default: false },
      port: { type: 'string', default: '5181' },
      server: { type: 'string' },
      token: { type: 'string' },
      'clerk-key': { type: 'string' },
      'data-dir': { type: 'string' },
      'seed-fixtures': { type: 'string' },
      'renderer-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    process.stdout.write(HELP)
    return
  }
  if (!values.web) {
    process.stderr.write(`Only browser mode exists outside Electron: add --web.\n\n${HELP}`)
    process.exitCode = 2
    return
  }
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be 0..65535, got "${values.port}"`)
  const dataDir = resolve(values['data-dir'] ?? process.env.ANOMALYZE_DATA_DIR ?? join(homedir(), '.anomalyze', 'desktop'))
  const here = dirname(fileURLToPath(import.meta.url))
  const rendererDir = resolve(values['renderer-dir'] ?? join(here, '..', '..', 'out', 'renderer'))

  const core = createCore({
    dataDir,
    autoSyncMs: 60_000,
    config: {
      clerkPublishableKey: values['clerk-key'] ?? process.env.ANOMALYZE_CLERK_PUBLISHABLE_KEY ?? null,
      defaultServerUrl: values.server ?? process.env.ANOMALYZE_SERVER_URL ?? null,
    },
  })
  const seedCount = values['seed-fixtures'] === undefined ? 0 : Number(values['seed-fixtures'])
  if (seedCount > 0) {
    const existing = core.store.queue.snapshot({ filters: {}, sort: 'time' }).total
    if (existing === 0) {
      const written = seedFixtureAnomalies(core.store, { count: seedCount })
      process.stdout.write(`Seeded ${written} fixture anomalies into ${dataDir}\n`)
    } else process.stdout.write(`Cache already holds ${existing} anomalies; not seeding.\n`)
  }
  if (values.server !== undefined && values.token !== undefined) {
    const signIn = await core.handlers['session.signIn']({ serverUrl: values.server, token: values.token })
    process.stdout.write(signIn.error === undefined ? `Signed in to ${values.server}\n` : `Sign-in failed: ${signIn.error.message}\n`)
    if (signIn.error === undefined) void core.sync.syncNow()
  } else if (values.server !== undefined || values.token !== undefined) {
    process.stderr.write('--server and --token go together; ignoring the one given.\n')
  }

  const { server, url } = await startWebServer({ handlers: core.handlers, files: coreFiles(core), rendererDir, port })
  process.stdout.write(`Anomalyze console at ${url} (cache: ${dataDir})\n`)
  const stop = (): void => {
    server.close()
    void core.close().finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
