import { Worker } from 'node:worker_threads'

type Reply = { id: number; ok: boolean } | { id: number; error: string }

let worker: Worker | null = null
const waiting = new Map<number, { resolve: (ok: boolean) => void; reject: (error: Error) => void }>()
let nextId = 0

/**
 * bcrypt.compare on a worker thread. bcryptjs is pure JavaScript: a compare at cost 10
 * takes ~100 ms of CPU, and on the main thread it held up every request in flight for
 * that long (about once a minute per busy API key, when its verified entry is renewed).
 * One thread per process, started on first use and not keeping the process alive; if
 * it stops, the compares waiting on it fail and the next compare starts another.
 */
export function bcryptCompareOffThread(secret: string, hash: string): Promise<boolean> {
  const thread = (worker ??= startWorker())
  return new Promise((resolve, reject) => {
    const id = nextId++
    waiting.set(id, { resolve, reject })
    thread.postMessage({ id, secret, hash })
  })
}

function startWorker(): Worker {
  // execArgv: [] so the plain-JavaScript entry does not inherit `--import tsx`.
  const thread = new Worker(new URL('./bcrypt-worker-entry.mjs', import.meta.url), { execArgv: [] })
  thread.unref()
  thread.on('message', (reply: Reply) => {
    const job = waiting.get(reply.id)
    waiting.delete(reply.id)
    if ('error' in reply) job?.reject(new Error(`bcrypt compare failed: ${reply.error}`))
    else job?.resolve(reply.ok)
  })
  const failAll = (error: Error): void => {
    if (worker === thread) worker = null
    for (const job of waiting.values()) job.reject(error)
    waiting.clear()
  }
  thread.on('error', failAll)
  thread.on('exit', (code) => failAll(new Error(`the bcrypt worker thread stopped (exit code ${code})`)))
  return thread
}
