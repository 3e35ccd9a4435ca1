import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { TPullOutput } from '@anomalyze/shared'
import { makeAnomaly } from '../../../test/support/fixtures.ts'
import { classifySyncError, createServerClient } from './server-client.ts'

/**
 * How the client reaches GET /sync/pull and reads its failures, against a loopback
 * HTTP server that answers like the real one would (the real one: apps/server/test/
 * sync-pull-route.test.ts and integration/real-server-sync.test.ts).
 */
const servers: Array<{ close: () => void }> = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = []
  const server = createServer((req, res) => {
    paths.push(req.url ?? '')
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push({ close: () => server.close() })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths }
}

const page: TPullOutput = { anomalies: [makeAnomaly(1)], nextCursor: 'c1', hasMore: false, total: 1, activeModel: null }

describe('server client pull', () => {
  it('pulls over GET /sync/pull with the token and reads the database time', async () => {
    let authorization: string | undefined
    const server = await serve((req, res) => {
      authorization = req.headers.authorization
      res.writeHead(200, { 'content-type': 'application/json', 'server-timing': 'db;dur=12.5' })
      res.end(JSON.stringify(page))
    })
    const pulled = await createServerClient({ serverUrl: server.url, token: 't0k' }).pull({ cursor: 'c0', limit: 5, withTotal: false })
    expect(server.paths).toEqual(['/sync/pull?cursor=c0&limit=5&withTotal=0'])
    expect(authorization).toBe('Bearer t0k')
    expect(pulled).toMatchObject({ ...page, timing: { serverDbMs: 12.5 } })
  })

  it('asks for the next page as soon as the headers name it, one page ahead at most, never twice', async () => {
    const cursors = [null, 'c1', 'c2']
    const server = await serve((req, res) => {
      const at = cursors.indexOf(new URL(req.url ?? '', 'http://x').searchParams.get('cursor'))
      const next = cursors[at + 1]
      res.writeHead(200, { 'content-type': 'application/json', ...(typeof next === 'string' ? { 'x-sync-next-cursor': next } : {}) })
      res.end(JSON.stringify({ ...page, anomalies: [makeAnomaly(at)], nextCursor: next ?? 'c2', hasMore: next !== undefined }))
    })
    const client = createServerClient({ serverUrl: server.url, token: 't0k' })
    const first = await client.pull({ cursor: null, limit: 1, withTotal: true })
    await expect.poll(() => server.paths.length).toBe(2)
    // Not claimed yet: nothing further is asked for.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(server.paths).toHaveLength(2)
    const second = await client.pull({ cursor: first.nextCursor, limit: 1, withTotal: false })
    const third = await client.pull({ cursor: second.nextCursor, limit: 1, withTotal: false })
    expect([first, second, third].map((p) => p.anomalies[0]?.id)).toEqual([makeAnomaly(0).id, makeAnomaly(1).id, makeAnomaly(2).id])
    expect(third.hasMore).toBe(false)
    expect(server.paths).toEqual(['/sync/pull?limit=1&withTotal=1', '/sync/pull?cursor=c1&limit=1&withTotal=0', '/sync/pull?cursor=c2&limit=1&withTotal=0'])
  })

  it('falls back to the tRPC procedure, for good, on a server without the route', async () => {
    const server = await serve((req, res) => {
      if (req.url?.startsWith('/sync/pull')) {
        res.writeHead(404).end()
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: { data: page } }))
    })
    const client = createServerClient({ serverUrl: server.url, token: 't0k' })
    expect(await client.pull({ cursor: null, limit: 5 })).toMatchObject({ ...page, timing: { serverDbMs: null } })
    await client.pull({ cursor: 'c1', limit: 5 })
    expect(server.paths.map((p) => p.split('?')[0])).toEqual(['/sync/pull', '/trpc/sync.pull', '/trpc/sync.pull'])
  })

  it('sorts failures the way the status bar shows them', async () => {
    const statuses = [401, 500]
    const server = await serve((_req, res) => {
      const status = statuses.shift() ?? 500
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL', message: 'database down' } }))
    })
    const client = createServerClient({ serverUrl: server.url, token: 't0k' })
    const failure = async () => classifySyncError(await client.pull({ cursor: null }).catch((e: unknown) => e))
    expect(await failure()).toMatchObject({ kind: 'unauthorized' })
    expect(await failure()).toEqual({ kind: 'server', message: 'Server error (INTERNAL): database down' })
    const offline = createServerClient({ serverUrl: 'http://127.0.0.1:1', token: 't0k' })
    expect(classifySyncError(await offline.pull({ cursor: null }).catch((e: unknown) => e))).toMatchObject({ kind: 'offline' })
  })
})
