import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { APP_DIR } from './harness.ts'

/** Browser tests serve the built renderer; build it once if this checkout has none. */
export function ensureRendererBuilt(): void {
  if (existsSync(join(APP_DIR, 'out', 'renderer', 'index.html'))) return
  execFileSync(join(APP_DIR, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: APP_DIR, stdio: 'inherit' })
}
