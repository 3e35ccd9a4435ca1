#!/usr/bin/env node
// `npm start`: set up, then run the product:
//   1. the API server: Postgres (embedded unless DATABASE_URL is set), migrations,
//      the demo account, tRPC on http://127.0.0.1:4000;
//   2. the analyst console in browser mode (the Electron binary cannot be fetched on
//      every machine; the same UI and local core run on http://127.0.0.1:5181),
//      signed in to that server with the local-mode token (passed as a file path, never
//      on a command line); it prints a one-time launch link that signs a browser in.
// The terminal gets a short summary and readable logs (JSON when this output is piped).
// Ctrl+C stops both, quietly. Extra arguments go to the server (try `npm start -- --help`).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { pnpm, root, setup } from './setup.mjs'

const serverArgs = process.argv.slice(2)
const pretty = process.stdout.isTTY === true
// In a terminal, set-up and build speak only when they fail; piped, everything is kept.
setup({ quiet: pretty })
if (!serverArgs.includes('--help') && !serverArgs.includes('-h')) {
  console.log('▸ building the console')
  pnpm(['--filter', '@anomalyze/desktop', 'build'], { quiet: pretty })
}
// Imported after setup(): a fresh checkout has no node_modules before it.
const formatLogLine = pretty ? await prettyLineFormatter() : null

const children = []
let stopping = false

/**
 * Runs a package's TypeScript entry point with Node directly (no pnpm or tsx wrapper
 * processes in between, so a signal reaches the program itself). Each child gets its
 * own process group: Ctrl+C in the terminal then reaches only this script, which stops
 * the console and then the server in order; the server stops its embedded Postgres
 * itself. A Postgres that got the terminal's SIGINT directly would cut the server's
 * connections first and fill the terminal with "terminating connection" errors.
 */
function launch(packageDir, entry, args, env = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: path.join(root, packageDir),
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
    detached: true,
  })
  children.push(child)
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`▸ ${packageDir} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the rest`)
      void stop(code ?? 1)
    }
  })
  return child
}

async function stop(code) {
  if (stopping) {
    // A second Ctrl+C: the user wants out now.
    for (const child of children) if (child.exitCode === null) kill(child, 'SIGKILL')
    process.exit(code || 130)
  }
  stopping = true
  if (pretty) process.stdout.write('\n▸ stopping (Ctrl+C again to force)…\n')
  // The console first (it may still push an analyst's decisions), then the server.
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    kill(child, 'SIGTERM')
    await exited(child, 20_000)
  }
  if (pretty) process.stdout.write('▸ stopped\n')
  process.exit(code)
}

function kill(child, signal) {
  try {
    child.kill(signal)
  } catch {
    // Already gone.
  }
}

function exited(child, ms) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => {
      kill(child, 'SIGKILL')
      resolve()
    }, ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(0))

if (pretty) console.log('▸ starting the server')
// JSON from the server in every case: this script prints it readably for a terminal.
const server = launch('apps/server', 'src/cli/start.ts', serverArgs, { LOG_FORMAT: 'json' })
let ready = null
readline.createInterface({ input: server.stdout }).on('line', (line) => {
  let event = null
  try {
    event = JSON.parse(line)
  } catch {
    // Not a log line (e.g. --help): as it is.
  }
  process.stdout.write(event !== null && formatLogLine ? formatLogLine(event) : `${line}\n`)
  if (event?.msg === 'Anomalyze server ready' && ready === null) {
    ready = event
    startConsole(event.url, event.dataDir)
  }
})

function startConsole(serverUrl, dataDir) {
  const args = ['--web', '--server', serverUrl, '--data-dir', path.join(dataDir, 'console')]
  // The token stays in its file (readable by this user only): a command line is visible
  // to every user of the machine. Clerk mode has no such file: the console signs in itself.
  const sessionFile = path.join(dataDir, 'local-session.json')
  if (existsSync(sessionFile)) args.push('--token-file', sessionFile)
  const consoleProcess = launch('apps/desktop', 'src/browser-shell/cli.ts', args)
  let consoleUrl = null
  readline.createInterface({ input: consoleProcess.stdout }).on('line', (line) => {
    consoleUrl ??= /(http:\/\/\S+?)\s/.exec(`${line} `)?.[1] ?? null
    const launchUrl = /(http:\/\/\S+\/launch\?key=\S+)/.exec(line)?.[1]
    if (launchUrl === undefined) {
      if (line.trim() !== '') process.stdout.write(`  console: ${line}\n`)
      return
    }
    process.stdout.write(summary({ launchUrl, serverUrl, dataDir }))
  })
}

/** What a person needs after `npm start`: where to click, where things are, how to stop. */
function summary({ launchUrl, serverUrl, dataDir }) {
  return [
    '',
    '  Anomalyze is running.',
    '',
    `    Open the console:  ${launchUrl}`,
    '                       (this link signs you in once; restart for a new one)',
    `    API server:        ${serverUrl}`,
    `    Data:              ${dataDir}`,
    '    Logs:              below; LOG_LEVEL=debug npm start for more',
    '    Stop:              Ctrl+C',
    '',
    '',
  ].join('\n')
}

/** pino-pretty's formatter for one parsed JSON log line (the server's own style). */
async function prettyLineFormatter() {
  const { prettyFactory } = await import('pino-pretty')
  const format = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service', singleLine: true })
  return (event) => format(event)
}
