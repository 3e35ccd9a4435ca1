import { readFileSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createCore } from '../core/create-core.ts'
import { seedFixtureAnomalies } from '../core/store/seed-fixtures.ts'
import { readDesktopEnv } from '../env.ts'
import { coreFiles, logCallToStderr, startWebServer, writeLaunchFile } from './web-server.ts'

const HELP = `Anomalyze console (browser mode): the desktop console's core and UI on localhost.

Usage: pnpm --filter @anomalyze/desktop console --web [options]

Options:
  --web                 Serve the console UI and its local API (required for now)
  --port N              Port on 127.0.0.1 (default 5181; 0 picks a free one)
  --server URL          Anomalyze server to sync with (e.g. http://127.0.0.1:3000)
  --token-file PATH     File with the bearer token for that server: {"token": "..."} JSON (the server's
                        <data dir>/local-session.json in local mode) or the bare token. With --server:
                        signs in at start. There is no --token: a command line is visible to every
                        user of the machine (ps, /proc), a file readable only by you is not.
  --clerk-key PK        Clerk publishable key: sign in with Clerk (default $ANOMALYZE_CLERK_PUBLISHABLE_KEY;
                        without one the console uses the server's local-mode token)
  --data-dir DIR        Local cache folder (default $ANOMALYZE_DATA_DIR or ~/.anomalyze/desktop)
  --seed-fixtures N     Fill an EMPTY cache with N generated fixture anomalies (dev, tests, bench)
  --renderer-dir DIR    Built renderer to serve (default apps/desktop/out/renderer)
  -h, --help            Show this help

The console prints a launch link (http://127.0.0.1:<port>/launch?key=...) and writes it to
<data dir>/console-launch.json (readable by you only). Open it once: it signs that browser in
(an HttpOnly cookie); the local API answers nobody else. Restart the console for a new link.
`

async function main(): Promise<void> {
  // Belt and braces: whatever a module forgets, files and folders this process creates
  // are owner-only (the cache, uploads, scored rows and exports hold customer data).
  // private-files.ts sets the modes explicitly as well.
  process.umask(0o077)
  if (process.argv.some((a) => a === '--token' || a.startsWith('--token='))) {
    process.stderr.write(
      '--token is gone: a command line is visible to every user of this machine. Put the token in a file only you can read and pass --token-file PATH.\n',
    )
    process.exitCode = 2
    return
  }
  const { values } = parseArgs({
    options: {
      web: { type: 'boolean', default: false },
      port: { type: 'string', default: '5181' },
      server: { type: 'string' },
      'token-file': { type: 'string' },
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
  const env = readDesktopEnv()
  const dataDir = resolve(values['data-dir'] ?? env.dataDir ?? join(homedir(), '.anomalyze', 'desktop'))
  const here = dirname(fileURLToPath(import.meta.url))
  const rendererDir = resolve(values['renderer-dir'] ?? join(here, '..', '..', 'out', 'renderer'))

  const core = createCore({
    dataDir,
    autoSyncMs: 60_000,
    config: {
      clerkPublishableKey: values['clerk-key'] ?? env.clerkPublishableKey ?? null,
      defaultServerUrl: values.server ?? env.serverUrl ?? null,
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
  const tokenFile = values['token-file']
  if (values.server !== undefined && tokenFile !== undefined) {
    const token = readTokenFile(tokenFile)
    const signIn = await core.handlers['session.signIn']({ serverUrl: values.server, token })
    process.stdout.write(signIn.error === undefined ? `Signed in to ${values.server}\n` : `Sign-in failed: ${signIn.error.message}\n`)
    if (signIn.error === undefined) void core.sync.syncNow()
  } else if (tokenFile !== undefined) {
    process.stderr.write('--token-file needs --server; ignoring it.\n')
  }

  const started = await startWebServer({
    handlers: core.handlers,
    files: coreFiles(core),
    rendererDir,
    port,
    onCall: env.logCalls ? logCallToStderr : undefined,
  })
  const { server, url } = started
  const launchFile = writeLaunchFile(dataDir, started)
  process.stdout.write(`Anomalyze console at ${url} (cache: ${dataDir})\n`)
  process.stdout.write(`\n  Open the console (once, in your browser): ${started.launchUrl}\n  (also in ${launchFile}, readable by you only)\n\n`)
  const stop = (): void => {
    // The link dies with this process: no stale one left for tools to find.
    rmSync(launchFile, { force: true })
    server.close()
    void core.close().finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

/** The token from a --token-file: `{"token": "..."}` JSON or the bare token on its own. */
function readTokenFile(path: string): string {
  const text = readFileSync(path, 'utf8').trim()
  let token: unknown = text
  if (text.startsWith('{')) token = (JSON.parse(text) as { token?: unknown }).token
  if (typeof token !== 'string' || token === '') throw new Error(`--token-file ${path} holds no token (expected {"token": "..."} or the token itself)`)
  return token
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
