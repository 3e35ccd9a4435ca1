import { bridge } from './api/core-client.ts'
import { startEarlyCall } from './api/early-calls.ts'
import { DEFAULT_QUERY, snapshotArgs } from './queue/first-screen.ts'

/**
 * The page's entry. It asks the core for what the first screen needs (the queue's
 * snapshot with its first rows: a few hundred ms at 100,000 rows) while the browser
 * evaluates the app's code, instead of after. The browser console's core serves the
 * page's files too, one thing at a time, so the calls start once the app's files
 * (preloaded by links in the page, see electron.vite.config.ts) have arrived: started
 * sooner, the snapshot would hold those files back.
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
  const links = [...document.querySelectorAll<HTMLLinkElement>('link[rel="modulepreload"], link[rel="stylesheet"]')]
  await Promise.race([Promise.all(links.map(arrived)), new Promise((resolve) => setTimeout(resolve, APP_FILES_WAIT_MS))])
  // Config first: it is instant, and nothing renders without it.
  performance.mark('anomalyze:app-files')
  startEarlyCall(bridge, 'app.config', {})
  startEarlyCall(bridge, 'queue.snapshot', snapshotArgs(DEFAULT_QUERY))
  startEarlyCall(bridge, 'sync.status', {})
  await import('./main.tsx')
}

void start()
