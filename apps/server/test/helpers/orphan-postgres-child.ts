// Starts an embedded cluster through the module and then just waits: the orphan test
// SIGKILLs this process, so its Postgres keeps running with no owner (as after kill -9),
// unless the watchdog is on (then it should stop the cluster within a few seconds).
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts'

const [dir, port, watchdog] = process.argv.slice(2)
if (!dir || !port) throw new Error('usage: orphan-postgres-child <dir> <port> [watchdog|no-watchdog]')
await startEmbeddedPostgres({ dir, port: Number(port), dieWithServer: watchdog === 'watchdog' })
process.stdout.write('ready\n')
setInterval(() => undefined, 60_000)
