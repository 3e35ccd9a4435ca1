import { bridge } from './api/core-client.ts'
import { startEarlyCall } from './api/early-calls.ts'
import { DEFAULT_QUERY, headArgs } from './queue/first-screen.ts'

/**
 * The page's entry. It asks the core for what the first screen needs while the
 * browser compiles and evaluates the app's code (preloaded by links in the page, see
 * electron.vite.config.ts), instead of after. The core answers in this order: config
 * (nothing renders without it), the queue's head (count and first rows: milliseconds),
 * the sync status, then the queue's whole ordering (hundreds of ms at 100,000 rows),
 * which the first paint does not wait for.
 */
performance.mark('anomalyze:boot')
startEarlyCall(bridge, 'app.config', {})
startEarlyCall(bridge, 'queue.head', headArgs(DEFAULT_QUERY))
startEarlyCall(bridge, 'sync.status', {})
startEarlyCall(bridge, 'queue.snapshot', DEFAULT_QUERY)
void import('./main.tsx')
