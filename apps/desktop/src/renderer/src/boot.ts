import { bridge } from './api/core-client.ts'
import { startEarlyCall } from './api/early-calls.ts'
import { DEFAULT_QUERY, headArgs } from './queue/first-screen.ts'

/**
 * The page's entry. It asks the core for what the first screen needs while the
 * browser compiles and evaluates the app's code, instead of after: config (nothing
 * renders without it), the queue's head (count and first rows, milliseconds) and the
 * sync status at once. The whole ordering of the queue (hundreds of ms at 100,000
 * rows) waits until the app's files (preloaded by links in the page, see
 * electron.vite.config.ts) have arrived: the browser console's core serves those
 * files too, one thing at a time, and would hold them back behind it.
 */
const APP_FILES_WAIT_MS = 2_000

function arrived(link: HTMLLinkElement): Promise<void> {
  // A file that is already in has its timing entry; otherwise its load (or error) event comes.
  if (performance.getEntriesByName(link.href).length > 0 || link.sheet != null) return Promise.resolve()
  return new Promise((resolve) => {
    link.addEventListener('load', () => resolve(), { once: true })
    link.addEventListener('error', () => resolve(), { once: true })
  })
}

async function start(): Promise<void> {
  performance.mark('anomalyze:boot')
  startEarlyCall(bridge, 'app.config', {})
  startEarlyCall(bridge, 'queue.head', headArgs(DEFAULT_QUERY))
  startEarlyCall(bridge, 'sync.status', {})
  const links = [...document.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"], link[rel="stylesheet"]')]
  await Promise.race([Promise.all(links.map(arrived)), new Promise((resolve) => setTimeout(resolve, APP_FILES_WAIT_MS))])
  performance.mark('anomalyze:app-files')
  startEarlyCall(bridge, 'queue.snapshot', DEFAULT_QUERY)
  await import('./main.tsx')
}

void start()
