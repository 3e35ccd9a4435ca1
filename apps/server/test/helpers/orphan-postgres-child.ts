// Starts an embedded cluster through the module and then just waits: the orphan test
// SIGKILLs this process, so its Postgres keeps running with no owner (as after kill -9).
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts'

const [dir, port] = process.argv.slice(2)
if (!dir || !port) throw new Error('usage: orphan-postgres-child <dir> <port>')
await startEmbeddedPostgres({ dir, port: Number(port) })
process.stdout.write('ready\n')
setInterval(() => undefined, 60_000)
