// Worker thread for bcrypt compares (see bcrypt-off-thread.ts). Plain JavaScript on
// purpose: it starts without a TypeScript loader.
import { parentPort } from 'node:worker_threads'
import bcrypt from 'bcryptjs'

const port = parentPort
if (!port) throw new Error('bcrypt-worker-entry must run as a worker thread')

port.on('message', (/** @type {{ id: number, secret: string, hash: string }} */ job) => {
  try {
    port.postMessage({ id: job.id, ok: bcrypt.compareSync(job.secret, job.hash) })
  } catch (error) {
    port.postMessage({ id: job.id, error: String(error) })
  }
})
