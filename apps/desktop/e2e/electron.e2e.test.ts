import { createRequire } from 'node:module'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { tmpdir } from 'node:os'
import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { ensureRendererBuilt } from './build-renderer.ts'
import type { AnomalyzeBridge } from '../src/contract/handlers.ts'
import { APP_DIR } from './harness.ts'

interface PageGlobals {
  anomalyze?: AnomalyzeBridge
  require?: unknown
}

/**
 * The `electron` package downloads its binary in an install script, which cannot run
 * on machines without internet (and is not approved in onlyBuiltDependencies). Where
 * the binary is present this test launches the real shell; elsewhere it skips and
 * says why.
 */
function electronBinary(): { path: string } | { missing: string } {
  // Resolve the binary the way the electron package does, minus its fallback: a
  // bare require('electron') starts a download when the binary is missing.
  if (process.env.ELECTRON_PATH !== undefined) {
    return existsSync(process.env.ELECTRON_PATH)
      ? { path: process.env.ELECTRON_PATH }
      : { missing: `ELECTRON_PATH=${process.env.ELECTRON_PATH} does not exist` }
  }
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
  const pathFile = join(packageDir, 'path.txt')
  if (!existsSync(pathFile)) return { missing: `no ${pathFile}: the electron package's install script (binary download) never ran` }
  const relative = readFileSync(pathFile, 'utf8').trim()
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist')
  const path = join(distDir, relative)
  return existsSync(path) ? { path } : { missing: `${path} does not exist` }
}

const binary = electronBinary()
const missingReason = 'missing' in binary ? binary.missing : null
if (missingReason !== null) {
  console.warn(
    `[desktop-e2e] SKIPPING the Electron test: the Electron binary is missing (${missingReason}). ` +
      'Its download needs internet access; the same UI and core are covered in Chromium by triage.e2e.test.ts.',
  )
}

describe('Electron shell', () => {
  it.skipIf(missingReason !== null)(
    `opens the console window with the preload bridge and a sandboxed renderer${missingReason === null ? '' : ` — SKIPPED: Electron binary missing (${missingReason})`}`,
    async () => {
      ensureRendererBuilt()
      const userData = mkdtempSync(join(tmpdir(), 'anomalyze-electron-'))
      const app = await electron.launch({
        executablePath: 'path' in binary ? binary.path : '',
        args: [APP_DIR, `--user-data-dir=${userData}`],
        cwd: APP_DIR,
      })
      try {
        const win = await app.firstWindow()
        await expect.poll(() => win.title()).toBe('Anomalyze')
        expect(await win.evaluate(() => (globalThis as unknown as PageGlobals).anomalyze?.platform)).toBe('electron')
        // Sandboxed, context-isolated renderer: no Node in the page.
        expect(await win.evaluate(() => typeof (globalThis as unknown as PageGlobals).require)).toBe('undefined')
        const status = await win.evaluate(() => (globalThis as unknown as PageGlobals).anomalyze?.call('sync.status', {}))
        expect(status).toMatchObject({ data: { state: 'signed-out', cachedAnomalies: 0 } })
        await expect.poll(() => win.getByRole('form', { name: 'Sign in' }).isVisible()).toBe(true)
      } finally {
        await app.close()
        rmSync(userData, { recursive: true, force: true })
      }
    },
  )
})
