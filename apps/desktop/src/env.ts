/**
 * The desktop's environment, read in one place: the only desktop source file that
 * reads `process.env`. The shells (Electron main, the browser-mode console) read it
 * and pass plain values down as options; the core never reads the environment.
 * Every value is optional: unset means "use the default", decided by the shell.
 */
export interface DesktopEnv {
  /** electron-vite dev server URL for the renderer (set by `electron-vite dev`); unset in a packaged app. */
  rendererUrl: string | undefined
  /** Clerk publishable key: sign in with Clerk; unset, the console uses a local-mode server token. */
  clerkPublishableKey: string | undefined
  /** Anomalyze server the console offers to sync with (e.g. http://127.0.0.1:3000). */
  serverUrl: string | undefined
  /** Browser-mode console: local cache folder (default ~/.anomalyze/desktop). */
  dataDir: string | undefined
  /** `ANOMALYZE_LOG_CALLS=1`: the browser-mode console logs each core call's time and size to stderr. */
  logCalls: boolean
}

/** Reads the desktop's environment variables (from `process.env` unless given another map). */
export function readDesktopEnv(env: NodeJS.ProcessEnv = process.env): DesktopEnv {
  return {
    rendererUrl: env.ELECTRON_RENDERER_URL,
    clerkPublishableKey: env.ANOMALYZE_CLERK_PUBLISHABLE_KEY,
    serverUrl: env.ANOMALYZE_SERVER_URL,
    dataDir: env.ANOMALYZE_DATA_DIR,
    logCalls: env.ANOMALYZE_LOG_CALLS === '1',
  }
}
