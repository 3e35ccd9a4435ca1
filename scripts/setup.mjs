#!/usr/bin/env node
// Set-up shared by `npm start` and `npm test`: needs only Node 20.19+ and npm.
// Installs pnpm when missing, then the workspace's dependencies (which also
// generates the Prisma client). Safe to run again: every step is idempotent.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const PNPM_VERSION = '10.34.9'

/**
 * Runs a command to completion. `quiet: true` keeps its output to itself unless it
 * fails (then it is printed whole): `npm start` shows a person only what matters.
 */
export function run(command, args, { quiet = false, ...options } = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: quiet ? 'pipe' : 'inherit', maxBuffer: 64 * 1024 * 1024, ...options })
  if (result.error) throw result.error
  if (quiet && result.status !== 0) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`)
  return result.status ?? 1
}

export function mustRun(command, args, options = {}) {
  const status = run(command, args, options)
  if (status !== 0) {
    console.error(`\n✗ ${command} ${args.join(' ')} failed (exit ${status})`)
    process.exit(status)
  }
}

function has(command, args = ['--version']) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0
}

/** The pnpm command line to use: a global pnpm, installed now if needed, or npx. */
export function pnpmCommand() {
  if (has('pnpm')) return ['pnpm']
  console.log(`▸ installing pnpm ${PNPM_VERSION} (npm install -g)`)
  if (run('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`]) === 0 && has('pnpm')) return ['pnpm']
  console.log('  global install not possible here; using npx instead')
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`]
}

export function pnpm(args, options) {
  const [command, ...prefix] = pnpmCommand()
  mustRun(command, [...prefix, ...args], options)
}

export function setup({ quiet = false } = {}) {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Node ${process.versions.node} is too old: Anomalyze needs Node 20.19 or newer.`)
    process.exit(1)
  }
  console.log('▸ installing dependencies (pnpm install)')
  pnpm(['install', '--frozen-lockfile', '--prefer-offline'], {
    quiet,
    // onnxruntime-node's optional GPU download is never wanted.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  })
}

if (import.meta.url === `file://${process.argv[1]}`) setup()
