import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { QueueHead, QueueSnapshot } from '../contract/queue.ts'
import type { CoreResult } from '../contract/result.ts'
import { createCore, type Core } from './create-core.ts'
import { makeAnomaly, seedAnomalies } from './test-support/fixtures.ts'
import { startWebServer } from './web-server.ts'

let dir: string
let core: Core
let server: Server
let url: string
const calls: Array<{ method: string; ms: number; bytes: number }> = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anomalyze-web-server-test-'))
  core = createCore({ dataDir: join(dir, 'data') })
  seedAnomalies(core.store, Array.from({ length: 30 }, (_, i) => makeAnomaly(i)))
  ;({ server, url } = await startWebServer({ handlers: core.handlers, rendererDir: null, port: 0, onCall: (call) => calls.push(call) }))
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

async function post<T>(method: string, args: unknown): Promise<{ body: CoreResult<T>; timing: string | null }> {
  const response = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) })
  return { body: (await response.json()) as CoreResult<T>, timing: response.headers.get('server-timing') }
}

describe('console web server: the queue API', () => {
  const query = { filters: { statuses: ['OPEN' as const] }, sort: 'severity' as const }

  it('answers the head of a list: the count, the leading keys of the full ordering and their rows', async () => {
    core.store.outbox.record({ anomalyIds: ['an_00004'], label: 'CONFIRMED_FRAUD' }, 'me', 5)
    const snapshot = (await post<QueueSnapshot>('queue.snapshot', query)).body.data
    const head = (await post<QueueHead>('queue.head', { ...query, size: 7 })).body.data
    expect(snapshot?.total).toBe(29)
    expect(head?.total).toBe(29)
    expect(head?.keys).toEqual(snapshot?.keys.slice(0, 7))
    expect(head?.rows.map((r) => r.key)).toEqual(head?.keys)
    expect(head?.rows.every((r) => r.status === 'OPEN')).toBe(true)
  })

  it('refuses a head over 1,000 rows, naming the field', async () => {
    const { body } = await post<QueueHead>('queue.head', { ...query, size: 1_001 })
    expect(body.error?.code).toBe('BAD_INPUT')
    expect(JSON.stringify(body.error)).toContain('size')
  })

  it('times every call: a Server-Timing header for the page, and the onCall log', async () => {
    calls.length = 0
    const { timing, body } = await post<unknown>('queue.rows', { keys: [1, 2, 3] })
    expect(timing).toMatch(/^core;dur=\d+(\.\d)?$/)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ method: 'queue.rows', bytes: JSON.stringify(body).length })
  })
})
