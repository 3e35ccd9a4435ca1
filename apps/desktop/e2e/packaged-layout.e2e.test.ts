import { execFile, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatedCsv } from '../test/support/generated-csv.ts'

/**
 * The packaged app must find what the core needs: its native modules, the default
 * model and the ONNX worker entry, away from the workspace. This builds out/, lays it
 * out as electron-builder packs it (app dir: out/, package.json, node_modules with only
 * the runtime imports the bundles leave external), and scores a file through the
 * built core host from there in plain Node (no Electron binary needed).
 */
const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
const ROWS = 500

/** The bare packages the built main-side bundles import (what electron-builder must carry). */
function externalImports(dir: string): string[] {
  const found = new Set<string>()
  const builtins = new Set(builtinModules)
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.js'))
  for (const file of files) {
    for (const [, spec] of readFileSync(join(dir, file), 'utf8').matchAll(/^import .*?from "([^".][^"]*)";?$/gm)) {
      if (spec === undefined || spec.startsWith('node:') || builtins.has(spec) || spec === 'electron') continue
      found.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec))
    }
  }
  return [...found].sort()
}

let root: string

beforeAll(() => {
  // Always a fresh build: a stale out/ would prove nothing about this checkout.
  execFileSync(join(APP_DIR, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: APP_DIR, stdio: 'pipe' })
  root = mkdtempSync(join(tmpdir(), 'anomalyze-packaged-'))
  const app = join(root, 'app')
  mkdirSync(join(app, 'node_modules', '@anomalyze'), { recursive: true })
  cpSync(join(APP_DIR, 'out'), join(app, 'out'), { recursive: true })
  cpSync(join(APP_DIR, 'package.json'), join(app, 'package.json'))
  for (const name of externalImports(join(app, 'out', 'main'))) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true })
    symlinkSync(realpathSync(join(APP_DIR, 'node_modules', name)), join(app, 'node_modules', name), 'dir')
  }
  writeFileSync(join(root, 'march.csv'), generatedCsv({ rows: ROWS }).text)
  // Plain Node, run from the package's folder: the built core host as a module.
  writeFileSync(
    join(root, 'score.mjs'),
    `import { bundledAssets, createHostCore } from './app/out/main/core-host.js'
const call = async (result) => { const r = await result; if (r.error) throw new Error(JSON.stringify(r.error)); return r.data }
const core = createHostCore({ dataDir: process.argv[2], autoSyncMs: 0, sessionKey: null, config: { clerkPublishableKey: null, defaultServerUrl: null } })
const h = core.handlers
const path = process.argv[3]
core.allowPath(path, 'read')
const availability = await call(h['scoring.availability']({}))
const inspection = await call(h['scoring.inspect']({ source: { path } }))
let job = await call(h['scoring.start']({ source: { path }, mapping: inspection.mapping }))
const until = Date.now() + 30_000
while (job.state === 'running' && Date.now() < until) {
  await new Promise((resolve) => setTimeout(resolve, 100))
  job = await call(h['scoring.job']({ jobId: job.jobId }))
}
await core.close()
const assets = bundledAssets()
console.log(JSON.stringify({ assets: { modelDir: assets.modelDir, onnxWorker: assets.onnxWorker.href, alertWriterWorker: assets.alertWriterWorker.href }, availability, job }))
`,
  )
}, 120_000)

afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true })
})

describe('the packaged layout', () => {
  it('keeps SQLite and ONNX out of the Electron main process bundle', () => {
    const main = readFileSync(join(APP_DIR, 'out', 'main', 'index.js'), 'utf8')
    expect(main).not.toMatch(/better-sqlite3|onnxruntime/)
    expect(existsSync(join(APP_DIR, 'out', 'main', 'core-host.js'))).toBe(true)
    // What electron-builder must carry beside out/ (package.json dependencies).
    const dependencies = Object.keys((JSON.parse(readFileSync(join(APP_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies)
    expect(dependencies).toEqual(expect.arrayContaining(externalImports(join(APP_DIR, 'out', 'main'))))
    expect(externalImports(join(APP_DIR, 'out', 'main'))).toEqual(expect.arrayContaining(['better-sqlite3', 'onnxruntime-node']))
  })

  it('scores a file through the core host with the model and worker copied beside it', async () => {
    const dataDir = join(root, 'data')
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'score.mjs'), dataDir, join(root, 'march.csv')], { cwd: root, timeout: 50_000 })
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      assets: { modelDir: string; onnxWorker: string; alertWriterWorker: string }
      availability: { available: boolean; modelVersion: string }
      job: { state: string; rowsRead: number; scored: number; error: string | null }
    }
    // The model and the worker entries come from the package's copies, not from the sources.
    const outMain = join(realpathSync(root), 'app', 'out', 'main')
    expect(realpathSync(result.assets.modelDir)).toBe(join(outMain, 'models', 'default'))
    expect(realpathSync(fileURLToPath(result.assets.onnxWorker))).toBe(join(outMain, 'onnx-worker-entry.mjs'))
    expect(realpathSync(fileURLToPath(result.assets.alertWriterWorker))).toBe(join(outMain, 'alert-writer-worker.mjs'))
    expect(result.availability).toMatchObject({ available: true, modelVersion: expect.stringMatching(/^default@/) })
    expect(result.job).toMatchObject({ state: 'done', rowsRead: ROWS, error: null })
    expect(result.job.scored).toBeGreaterThan(0)
  }, 60_000)
})
