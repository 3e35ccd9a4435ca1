import { bridge } from './api/core-client.ts'
import { startEarlyCall } from './api/early-calls.ts'
import { DEFAULT_QUERY, headArgs } from './queue/first-screen.ts'

/**
 * The page's entry. It asks the core for what the first screen needs while the
 * browser compiles and evaluates the app's code (preloaded by links in the page, see
 * electron.vite.config.ts), instead of after: config (nothing renders without it),
 * the queue's head (count and first rows: milliseconds) and the sync status. The
 * queue's whole ordering follows once the first rows are on screen (useQueueQuery).
 */
performance.mark('anomalyze:boot')
startEarlyCall(bridge, 'app.config', {})
startEarlyCall(bridge, 'queue.head', headArgs(DEFAULT_QUERY))
startEarlyCall(bridge, 'sync.status', {})
void import('./main.tsx')
