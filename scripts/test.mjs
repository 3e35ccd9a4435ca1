#!/usr/bin/env node
// `npm test`: set up, then run every check: typecheck, lint, unit, integration
// (real Postgres) and browser tests (real Chromium). Prints one summary line.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { pnpm, pnpmCommand, root, run, setup } from './setup.mjs'

setup()
ensureChromium()

console.log('▸ typecheck')
pnpm(['typecheck'])
console.log('▸ lint')
pnpm(['lint'])
console.log('▸ build')
pnpm(['build'])

console.log('▸ tests (vitest: unit, integration, browser)')
const reportFile = path.join(root, '.cache', 'vitest-report.json')
mkdirSync(path.dirname(reportFile), { recursive: true })
rmSync(reportFile, { force: true })
const [cmd, ...prefix] = pnpmCommand()
const status = run(cmd, [...prefix, 'exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`])
const report = printSummary(reportFile)
// Vitest's own exit code is not enough: a library's exit hook in the global setup
// (embedded Postgres) has been seen turning a failed run into exit 0. The report decides.
const passed = status === 0 && report !== null && report.success === true && report.numFailedTests === 0
process.exit(passed ? 0 : status || 1)

function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) return
  const isRoot = process.getuid?.() === 0
  if (process.platform === 'linux' && isRoot && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0) {
    console.log('▸ installing Chromium for browser tests (apt-get)')
    run('apt-get', ['update', '-qq'])
    if (run('apt-get', ['install', '-y', '-qq', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }) === 0) return
  }
  console.warn('! Chromium is not installed at /usr/bin/chromium and could not be installed here;')
  console.warn('  the browser tests will fail. Install it (Debian: apt-get install chromium) and run again.')
}

function printSummary(file) {
  if (!existsSync(file)) {
    console.error('\n✗ vitest wrote no report: the run did not finish')
    return null
  }
  const report = JSON.parse(readFileSync(file, 'utf8'))
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  console.log(`\n${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`)
  return report
}
