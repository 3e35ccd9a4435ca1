import { describe, expect, it } from 'vitest'
import { runOnWorker, type WorkerRun } from '../src/services/training/run-on-worker.ts'

/** The runner settles exactly once, in the caller's words, whatever the thread does. */
type Message = { type: 'note' | 'final'; value: number }
const ENTRY = new URL('./helpers/worker-fixture-entry.ts', import.meta.url)

function run(mode: string, timeoutMs = 60_000, seen: Message[] = []): Promise<number> {
  const job: WorkerRun<Message, number> = {
    entry: ENTRY,
    workerData: { mode },
    limits: { maxOldGenerationSizeMb: 256 },
    timeoutMs,
    onMessage: (message) => {
      seen.push(message)
      return message.type === 'final' ? { value: message.value } : undefined
    },
    failures: {
      outOfMemory: () => new Error('out of memory'),
      crashed: (error) => new Error(`crashed: ${error.message}`),
      exited: (code) => new Error(`exited with ${code}`),
      timedOut: (ms) => new Error(`timed out after ${ms} ms`),
    },
  }
  return runOnWorker(job)
}

describe('runOnWorker', () => {
  it('resolves with the first final message and reads the messages before it', async () => {
    const seen: Message[] = []
    await expect(run('two-finals', 60_000, seen)).resolves.toBe(1)
    expect(seen.slice(0, 2)).toEqual([
      { type: 'note', value: 0 },
      { type: 'final', value: 1 },
    ])
  })

  it('rejects in the caller words when the thread exits without an answer, throws, or overruns', async () => {
    await expect(run('exit')).rejects.toThrow('exited with 3')
    await expect(run('throw')).rejects.toThrow('crashed: boom in the thread')
    await expect(run('hang', 300)).rejects.toThrow('timed out after 300 ms')
  })
})
