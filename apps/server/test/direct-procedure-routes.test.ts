import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { createApiKeyAuthenticator } from '../src/auth/api-key-authenticator.ts'
import { loadEnv } from '../src/env.ts'
import { DIRECT_MUTATIONS } from '../src/http/routes/direct-procedure-routes.ts'
import { trpcHttpOptions } from '../src/trpc/http-options.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * The hot mutations are served without tRPC's HTTP adapter (direct-procedure-routes.ts).
 * Clients must not be able to tell: every request here goes both to the real server and
 * to a reference server that has only tRPC's own plugin over the same database, and the
 * two answers must match in status, content type and body, byte for byte.
 */
describe('direct procedure routes answer exactly as tRPC does', () => {
  let database: TestDatabase
  let app: RunningApp
  let reference: FastifyInstance
  let referenceUrl: string
  let ingestKey: string
  let readOnlyKey: string

  beforeAll(async () => {
    database = await createTestDatabase()
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-direct-'))
    app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0' }), testLogger)
    reference = Fastify({ logger: false })
    await reference.register(fastifyTRPCPlugin, {
      prefix: '/trpc',
      trpcOptions: trpcHttpOptions({ db: app.db, log: testLogger, authenticator: createApiKeyAuthenticator(app.db), services: app.services }),
    })
    await reference.listen({ host: '127.0.0.1', port: 0 })
    const address = reference.server.address()
    referenceUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    const create = async (scopes: string[]) => {
      const response = await fetch(`${app.url}/trpc/apiKeys.create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.localToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: scopes.join(' '), scopes }),
      })
      return ((await response.json()) as { result: { data: { secret: string } } }).result.data.secret
    }
    ingestKey = await create(['ingest:write'])
    readOnlyKey = await create(['anomalies:read'])
  })
  afterAll(async () => {
    await reference?.close()
    await app?.stop()
    await database?.drop()
  })

  interface Answer {
    status: number
    contentType: string | null
    body: string
  }
  const post = async (base: string, pathAndQuery: string, body: string, headers: Record<string, string>): Promise<Answer> => {
    const response = await fetch(`${base}/trpc/${pathAndQuery}`, { method: 'POST', headers, body })
    return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() }
  }
  const json = { 'content-type': 'application/json' }
  const withKey = (key: string) => ({ ...json, authorization: `Bearer ${key}` })
  const tx = (txId: string, extra: Record<string, unknown> = {}) => ({
    txId,
    timestamp: '2026-05-01T10:00:00Z',
    amount: 42.5,
    accountId: 'C-1',
    merchantId: 'M-1',
    ...extra,
  })
  /** The real server's answer and the reference server's, to the same request. */
  const both = async (body: string, headers: Record<string, string>, pathAndQuery = 'ingest.transactions') => ({
    direct: await post(app.url, pathAndQuery, body, headers),
    viaTrpc: await post(referenceUrl, pathAndQuery, body, headers),
  })

  it('serves the hot mutations on their own routes, in front of the tRPC plugin', () => {
    for (const procedure of DIRECT_MUTATIONS) expect(app.server.hasRoute({ method: 'POST', url: `/trpc/${procedure}` })).toBe(true)
    expect(reference.hasRoute({ method: 'POST', url: '/trpc/ingest.transactions' })).toBe(false)
  })

  it.each([
    ['no credentials', JSON.stringify({ transactions: [tx('e1')] }), json],
    ['a malformed key', JSON.stringify({ transactions: [tx('e2')] }), withKey('sk_live_nope')],
    ['an unknown key', JSON.stringify({ transactions: [tx('e3')] }), withKey('sk_live_abcdefghij_0123456789abcdef0123456789abcdef')],
    ['a key without ingest:write', JSON.stringify({ transactions: [tx('e4')] }), withKey('@readOnly')],
    ['no transactions field', JSON.stringify({}), withKey('@ingest')],
    ['an empty list', JSON.stringify({ transactions: [] }), withKey('@ingest')],
    ['too many transactions', JSON.stringify({ transactions: Array.from({ length: 1_001 }, (_, i) => tx(`big-${i}`)) }), withKey('@ingest')],
    ['an empty body', '', withKey('@ingest')],
    ['a body that is not JSON', '{"transactions": [', withKey('@ingest')],
    ['a JSON string instead of an object', '"hello"', withKey('@ingest')],
  ])('refuses %s with the same status and error body', async (_case, body, headers) => {
    const resolved = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, value.replace('@readOnly', readOnlyKey).replace('@ingest', ingestKey)]),
    )
    const { direct, viaTrpc } = await both(body, resolved)
    expect(direct.status).toBeGreaterThanOrEqual(400)
    expect(direct).toEqual(viaTrpc)
  })

  it('answers accepted, rejected and duplicate items the same way', async () => {
    const body = (id: string) =>
      JSON.stringify({ transactions: [tx(id, { accountId: id }), tx(`${id}-bad`, { amount: 'lots' }), tx(`${id}-x`, { unknownField: 1 })] })
    // Each server ingests its own new transaction (of its own account) first: the same
    // answer but for the ids...
    const first = await post(app.url, 'ingest.transactions', body('same-a'), withKey(ingestKey))
    const firstRef = await post(referenceUrl, 'ingest.transactions', body('same-b'), withKey(ingestKey))
    const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
    expect(first.status).toBe(200)
    expect({ ...first, body: first.body.replaceAll('same-a', 'ID').replace(uuid, 'UUID') }).toEqual({
      ...firstRef,
      body: firstRef.body.replaceAll('same-b', 'ID').replace(uuid, 'UUID'),
    })
    expect(JSON.parse(first.body).result.data.items.map((item: { outcome: string }) => item.outcome)).toEqual(['accepted', 'rejected', 'rejected'])
    // ...then the same call again to both: duplicates, byte for byte.
    const { direct, viaTrpc } = await both(body('same-a'), withKey(ingestKey))
    expect(JSON.parse(direct.body).result.data.items[0].outcome).toBe('duplicate')
    expect(direct).toEqual(viaTrpc)
  })

  it('leaves batched calls to tRPC, which answers them in its batch format', async () => {
    const { direct, viaTrpc } = await both(JSON.stringify({ 0: { transactions: [tx('same-a')] } }), withKey(ingestKey), 'ingest.transactions?batch=1')
    expect(direct.status).toBe(200)
    expect(Array.isArray(JSON.parse(direct.body))).toBe(true)
    expect(direct).toEqual(viaTrpc)
  })
})
