#!/usr/bin/env node
// `npm start`: set up, then run the product:
//   1. the API server: Postgres (embedded unless DATABASE_URL is set), migrations,
//      the demo account, tRPC on http://127.0.0.1:4000;
//   2. the analyst console in browser mode (the Electron binary cannot be fetched on
//      every machine; the same UI and local core run on http://127.0.0.1:5181),
//      signed in to that server with the local-mode token (passed as a file path, never
//      on a command line); it prints a one-time launch link that signs a browser in.
// Ctrl+C stops both. Extra arguments go to the server (try `npm start -- --help`).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { pnpm, pnpmCommand, root, setup } from './setup.mjs'

setup()
const serverArgs = process.argv.slice(2)
if (!serverArgs.includes('--help')) {
  console.log('▸ building the console')
  pnpm(['--filter', '@anomalyze/desktop', 'build'])
}

const [command, ...prefix] = pnpmCommand()
const children = []
const launch = (args, options = {}) => {
  const child = spawn(command, [...prefix, ...args], { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], ...options })
  children.push(child)
  child.on('exit', (code) => {
    if (!stopping) stop(code ?? 1)
  })
  return child
}

let stopping = false
function stop(code) {
  stopping = true
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  setTimeout(() => process.exit(code), 1_500).unref()
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

console.log('▸ starting the server')
const server = launch(['--filter', '@anomalyze/server', '--silent', 'start', ...serverArgs])
readline.createInterface({ input: server.stdout }).on('line', (line) => {
  process.stdout.write(`${line}\n`)
  let event
  try {
    event = JSON.parse(line)
  } catch {
    return
  }
  if (event.msg === 'Anomalyze server ready') startConsole(event.url, event.dataDir)
})

function startConsole(serverUrl, dataDir) {
  console.log('▸ starting the console')
  const args = ['--filter', '@anomalyze/desktop', '--silent', 'console', '--web', '--server', serverUrl, '--data-dir', path.join(dataDir, 'console')]
  // The token stays in its file (readable by this user only): a command line is visible
  // to every user of the machine. Clerk mode has no such file: the console signs in itself.
  const sessionFile = path.join(dataDir, 'local-session.json')
  if (existsSync(sessionFile)) args.push('--token-file', sessionFile)
  const consoleProcess = launch(args)
  // The console prints its one-time launch link; make it stand out among the server's logs.
  readline.createInterface({ input: consoleProcess.stdout }).on('line', (line) => {
    const launchUrl = /(http:\/\/\S+\/launch\?key=\S+)/.exec(line)?.[1]
    if (launchUrl === undefined) process.stdout.write(`${line}\n`)
    else process.stdout.write(`\n▸ Open the console (this link works once; restart for a new one):\n\n    ${launchUrl}\n\n`)
  })
}
