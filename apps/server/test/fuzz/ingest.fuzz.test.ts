import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import {
  anyText,
  badMetadata,
  badTimestamp,
  goodTimestamp,
  Keyed,
  jsonText,
  materialize,
  Repeat,
  safeId,
  safeMetadata,
  safeText,
  straddle,
  unsafeText,
  type Spec,
} from './arbitraries.ts'
import {
  call,
  createApiKey,
  expectNo5xxNoLeak,
  fail,
  fuzzParams,
  generousPlan,
  PARSE_FAILED,
  startFuzzServer,
  Tally,
  type Answer,
  type FuzzServer,
} from './harness.ts'

/**
 * `POST /trpc/ingest.transactions` with an API key (ingest:write), plain (the direct
 * route) and batched (`?batch=1`, tRPC's adapter), carrying generated mixes of good
 * items and hostile ones. Properties: no 5xx; the answer parses; one outcome per item;
 * an item that must be refused is refused, naming a field and a reason; every good
 * item is stored exactly once, and sending the same call again stores nothing new.
 */

interface ItemSpec {
  kind: 'good' | 'bad'
  why: string
  /** The field the refusal must name (null: any non-empty field). */
  field: string | null
  /** True when the product must refuse it (false: hostile, but maybe acceptable). */
  mustReject: boolean
  /** The item's fields (txId added at send time unless `txId` is false), or a non-object item. */
  entries: [string, Spec][] | null
  notObject?: Spec
  txId: boolean
}

const goodFields: fc.Arbitrary<[string, Spec][]> = fc
  .record(
    {
      timestamp: goodTimestamp as fc.Arbitrary<Spec>,
      amount: fc.oneof(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100),
      ) as fc.Arbitrary<Spec>,
      accountId: safeId as fc.Arbitrary<Spec>,
      merchantId: safeId as fc.Arbitrary<Spec>,
      currency: fc.constantFrom('INR', 'usd', 'Eur') as fc.Arbitrary<Spec>,
      category: fc.oneof(safeText(64), fc.constant(new Repeat('x', 62, '', '😀'))) as fc.Arbitrary<Spec>,
      country: fc.constantFrom('IN', 'us', 'Gb') as fc.Arbitrary<Spec>,
      channel: safeText(32) as fc.Arbitrary<Spec>,
      latitude: fc.double({ min: -90, max: 90, noNaN: true }) as fc.Arbitrary<Spec>,
      longitude: fc.double({ min: -180, max: 180, noNaN: true }) as fc.Arbitrary<Spec>,
      metadata: safeMetadata,
    },
    { requiredKeys: ['timestamp', 'amount', 'accountId', 'merchantId'] },
  )
  .map((record) => Object.entries(record) as [string, Spec][])

const good: fc.Arbitrary<ItemSpec> = goodFields.map((entries) => ({ kind: 'good', why: 'good', field: null, mustReject: false, entries, txId: true }))

const nonString = fc.constantFrom<Spec>(true, null, [], {}, 0, 12.5)
const nonNumber = fc.constantFrom<Spec>('12', true, null, [], {})

/** One field replaced by a hostile value: [field, value, must it be refused]. */
const fieldAttack: fc.Arbitrary<[string, Spec, boolean]> = fc.oneof(
  fc.tuple(
    fc.constantFrom('txId', 'accountId', 'merchantId'),
    fc.oneof(unsafeText as fc.Arbitrary<Spec>, fc.constantFrom<Spec>('', '   ', new Repeat('a', 129), new Repeat('😀', 60_000)), nonString),
    fc.constant(true),
  ),
  fc.tuple(fc.constantFrom('txId', 'accountId', 'merchantId', 'category', 'channel'), anyText as fc.Arbitrary<Spec>, fc.constant(false)),
  // An emoji across the length limit: 65 UTF-16 units but 64 code points (zod counts
  // code points). Refusing or accepting is the product's choice; cutting it is not
  // (a stored txId must equal the one sent, which the stored-once check reads back).
  fc.tuple(fc.constant('txId'), fc.constantFrom<Spec>(straddle(128), new Repeat('😀', 64)), fc.constant(false)),
  fc.tuple(fc.constant('category'), fc.constantFrom<Spec>(straddle(64), new Repeat('😀', 32)), fc.constant(false)),
  fc.tuple(fc.constant('channel'), fc.constant<Spec>(straddle(32)), fc.constant(false)),
  fc.tuple(fc.constant('timestamp'), badTimestamp as fc.Arbitrary<Spec>, fc.constant(true)),
  fc.tuple(fc.constant('amount'), fc.oneof(fc.constantFrom<Spec>(-1, 1e12 + 1, 1e20, 1e308, -1e308, -0.01), nonNumber), fc.constant(true)),
  fc.tuple(fc.constant('amount'), fc.double({ noNaN: true, noDefaultInfinity: true }) as fc.Arbitrary<Spec>, fc.constant(false)),
  fc.tuple(fc.constant('currency'), fc.constantFrom<Spec>('RUPEE', '', 'IN', 'ÎNR', 'I\u0000R', 'I\uD800R', 5, null, []), fc.constant(true)),
  fc.tuple(fc.constant('country'), fc.constantFrom<Spec>('IND', 'I', '🇮🇳', '', 'I\u0000', 5, null), fc.constant(true)),
  fc.tuple(
    fc.constant('category'),
    fc.oneof(unsafeText as fc.Arbitrary<Spec>, fc.constantFrom<Spec>(new Repeat('x', 65), new Repeat('\uD83D', 30), 5, null, [])),
    fc.constant(true),
  ),
  fc.tuple(fc.constant('channel'), fc.oneof(unsafeText as fc.Arbitrary<Spec>, fc.constantFrom<Spec>(new Repeat('x', 33), {})), fc.constant(true)),
  fc.tuple(fc.constantFrom('latitude', 'longitude'), fc.constantFrom<Spec>(181, -181, 1e308, '12', null, true), fc.constant(true)),
  badMetadata.map(({ value }): [string, Spec, boolean] => ['metadata', value, true]),
)

const REQUIRED = ['txId', 'timestamp', 'amount', 'accountId', 'merchantId'] as const
const KNOWN = new Set([...REQUIRED, 'currency', 'category', 'country', 'channel', 'latitude', 'longitude', 'metadata'])

const bad: fc.Arbitrary<ItemSpec> = fc.oneof(
  fc.tuple(goodFields, fieldAttack).map(([entries, [field, value, mustReject]]): ItemSpec => ({
    kind: 'bad',
    why: `hostile ${field}`,
    field: mustReject ? field : null,
    mustReject,
    entries: [...entries.filter(([k]) => k !== field), [field, value]],
    txId: field !== 'txId',
  })),
  fc.tuple(goodFields, fc.constantFrom(...REQUIRED)).map(([entries, field]): ItemSpec => ({
    kind: 'bad',
    why: `missing ${field}`,
    field,
    mustReject: true,
    entries: entries.filter(([k]) => k !== field),
    txId: field !== 'txId',
  })),
  fc
    .tuple(
      goodFields,
      fc
        .oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'colour', 'valueOf', 'txid'), fc.string({ maxLength: 12 }))
        .filter((k) => !KNOWN.has(k)),
      fc.oneof(anyText as fc.Arbitrary<Spec>, fc.constantFrom<Spec>({ polluted: true }, 1, null)),
    )
    .map(([entries, key, value]): ItemSpec => ({
      kind: 'bad',
      why: `extra key ${JSON.stringify(key)}`,
      field: null,
      mustReject: true,
      entries: [...entries, [key, value]],
      txId: true,
    })),
  fc
    .constantFrom<Spec>(null, 1, 'tx-1', [], [1, 2], true, 0)
    .map((notObject): ItemSpec => ({ kind: 'bad', why: 'not an object', field: null, mustReject: true, entries: null, notObject, txId: false })),
)

const mixedCall = fc.record({
  items: fc.array(fc.oneof({ weight: 3, arbitrary: good }, { weight: 2, arbitrary: bad }), { minLength: 1, maxLength: 25 }),
  mode: fc.constantFrom<'plain' | 'batched'>('plain', 'batched'),
})

/** The item's JSON text as sent: txIds unique to this run for good items (`<nonce>-<index>`). */
function itemOf(spec: ItemSpec, txId: string): string {
  if (spec.entries === null) return jsonText(spec.notObject)
  const entries: [string, Spec][] = spec.txId ? [['txId', txId], ...spec.entries] : spec.entries
  return jsonText(new Keyed(entries))
}

interface IngestItem {
  index: number
  txId: string | null
  outcome: 'accepted' | 'duplicate' | 'rejected'
  errors?: { field: unknown; message: unknown }[]
}
interface IngestData {
  accepted: number
  duplicates: number
  rejected: number
  items: IngestItem[]
}

const BODY_LIMIT = 8 * 1024 * 1024

describe('fuzz: ingest.transactions over HTTP with an API key', () => {
  let server: FuzzServer
  let key: string

  beforeAll(async () => {
    server = await startFuzzServer({ JOB_POLL_SECONDS: '0.5' })
    await generousPlan(server)
    key = await createApiKey(server, ['ingest:write'])
  })
  const tally = new Tally('ingest: item kind -> first outcome')
  afterAll(async () => {
    tally.print()
    await server?.stop()
  })

  /** Sends one call, plain or batched; checks status, parse and leaks; returns the call's data or null when refused whole. */
  const send = async (body: string, mode: 'plain' | 'batched'): Promise<{ answer: Answer; data: IngestData | null }> => {
    const answer =
      mode === 'plain'
        ? await call(server.url, 'POST', '/trpc/ingest.transactions', { token: key, body, headers: { 'content-type': 'application/json' } })
        : await call(server.url, 'POST', '/trpc/ingest.transactions?batch=1', {
            token: key,
            body: `{"0":${body}}`,
            headers: { 'content-type': 'application/json' },
          })
    expectNo5xxNoLeak(answer, `ingest (${mode})`)
    if (answer.json === PARSE_FAILED) fail(`ingest (${mode}) answered a body that is not JSON`, answer)
    const envelope = (mode === 'batched' ? (answer.json as unknown[])[0] : answer.json) as { result?: { data: IngestData }; error?: unknown }
    if (envelope?.result?.data) return { answer, data: envelope.result.data }
    if (envelope?.error === undefined) fail(`ingest (${mode}) answered neither result nor error`, answer)
    return { answer, data: null }
  }

  const count = (txId: string) => server.app.db.transaction.count({ where: { orgId: server.orgId, txId } })

  it('never answers 5xx; refuses bad items by field; stores every good item exactly once, and a resend nothing new', async () => {
    await fc.assert(
      fc.asyncProperty(mixedCall, async ({ items, mode }) => {
        const nonce = randomUUID()
        const sent = items.map((spec, i) => itemOf(spec, `fz-${nonce}-${i}`))
        const body = `{"transactions":[${sent.join(',')}]}`
        const first = await send(body, mode)
        tally.note(`call ${mode} ${first.answer.status}`)
        if (Buffer.byteLength(body) > BODY_LIMIT) {
          if (first.answer.status !== 413) fail(`a ${Buffer.byteLength(body)}-byte body should be refused as too large`, first.answer)
          return
        }
        if (first.answer.status !== 200 || first.data === null) fail('a mixed call was refused as a whole', first.answer)
        const data = first.data
        if (!Array.isArray(data.items) || data.items.length !== items.length) fail(`expected ${items.length} item outcomes`, first.answer)
        if (data.accepted + data.duplicates + data.rejected !== items.length) fail('accepted + duplicates + rejected differs from the item count', first.answer)
        for (const [i, spec] of items.entries()) {
          const outcome = data.items[i]!
          const what = `item ${i} (${spec.why})`
          tally.note(`${spec.kind === 'good' ? 'good' : spec.why.replace(/".*"/, '"…"')} -> ${outcome.outcome}`)
          if (outcome.index !== i) fail(`${what} has index ${outcome.index}`, first.answer)
          if (spec.kind === 'good' && outcome.outcome !== 'accepted')
            fail(`${what} was ${outcome.outcome}: ${JSON.stringify(outcome).slice(0, 300)}`, first.answer)
          if (spec.mustReject && outcome.outcome !== 'rejected') fail(`${what} must be rejected but was ${outcome.outcome}`, first.answer)
          if (outcome.outcome === 'rejected') {
            const errors = outcome.errors ?? []
            if (errors.length === 0) fail(`${what} was rejected without errors`, first.answer)
            for (const e of errors) {
              if (typeof e.field !== 'string' || e.field.trim() === '') fail(`${what} has an error without a field: ${JSON.stringify(e)}`, first.answer)
              if (typeof e.message !== 'string' || e.message.trim() === '') fail(`${what} has an error without a message: ${JSON.stringify(e)}`, first.answer)
            }
            if (spec.field !== null && !errors.some((e) => e.field === spec.field || String(e.field).startsWith(`${spec.field}.`))) {
              fail(`${what} was rejected without naming ${spec.field}: ${JSON.stringify(errors).slice(0, 300)}`, first.answer)
            }
          }
        }
        // Stored exactly once: every good item, and anything else the server accepted.
        for (const [i, outcome] of data.items.entries()) {
          const txId = items[i]!.kind === 'good' ? `fz-${nonce}-${i}` : outcome.outcome === 'accepted' ? outcome.txId : null
          if (txId === null) continue
          const n = await count(txId)
          if (n !== 1) throw new Error(`item ${i} (${items[i]!.why}, ${outcome.outcome}) is stored ${n} times (txId ${JSON.stringify(txId).slice(0, 80)})`)
        }

        // Good items are stored as sent: ids and text exactly (trimmed), the instant, the metadata document.
        for (const [i, spec] of items.entries()) {
          if (spec.kind !== 'good' || spec.entries === null) continue
          const sentItem = Object.fromEntries(spec.entries.map(([k, v]) => [k, materialize(v)])) as Record<string, unknown>
          const row = await server.app.db.transaction.findFirstOrThrow({ where: { orgId: server.orgId, txId: `fz-${nonce}-${i}` } })
          const expectText = (field: 'accountId' | 'merchantId' | 'category' | 'channel') => {
            const value = sentItem[field]
            const stored = row[field]
            if (value === undefined) return
            const wanted = String(value).trim()
            if ((stored ?? '') !== wanted) throw new Error(`good item ${i}: ${field} stored as ${JSON.stringify(stored)}, sent ${JSON.stringify(value)}`)
          }
          for (const field of ['accountId', 'merchantId', 'category', 'channel'] as const) expectText(field)
          const sentAt = typeof sentItem.timestamp === 'number' ? sentItem.timestamp : Date.parse(String(sentItem.timestamp))
          if (row.timestamp.getTime() !== sentAt)
            throw new Error(`good item ${i}: timestamp stored as ${row.timestamp.toISOString()}, sent ${String(sentItem.timestamp)}`)
          if (Number(row.amount) !== sentItem.amount)
            throw new Error(`good item ${i}: amount stored as ${row.amount.toString()}, sent ${String(sentItem.amount)}`)
          if (sentItem.metadata !== undefined) {
            const stored = (row.raw as { metadata?: unknown } | null)?.metadata
            if (!isDeepStrictEqual(JSON.parse(JSON.stringify(stored ?? null)), JSON.parse(JSON.stringify(sentItem.metadata)))) {
              throw new Error(
                `good item ${i}: metadata stored as ${JSON.stringify(stored).slice(0, 300)}, sent ${JSON.stringify(sentItem.metadata).slice(0, 300)}`,
              )
            }
          }
        }

        // The same call again: nothing new is stored, every accepted item is now a duplicate.
        const before = await server.app.db.transaction.count({ where: { orgId: server.orgId } })
        const again = await send(body, mode)
        if (again.answer.status !== 200 || again.data === null) fail('the resend was refused as a whole', again.answer)
        for (const [i, outcome] of again.data.items.entries()) {
          if (data.items[i]!.outcome === 'accepted' && outcome.outcome !== 'duplicate')
            fail(`resent item ${i} (${items[i]!.why}) was ${outcome.outcome}, not duplicate`, again.answer)
        }
        const after = await server.app.db.transaction.count({ where: { orgId: server.orgId } })
        if (after !== before) throw new Error(`the resend stored ${after - before} new transactions`)
      }),
      fuzzParams(100, 25_000),
    )
  }, 120_000)

  it('a hostile body as a whole (not JSON, wrong shape, 5,000 levels deep, random bytes) is never a 5xx, and a refused call stores nothing', async () => {
    const wholeBody = fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom(
        '',
        '{',
        '{"transactions": [',
        'null',
        '[]',
        '"hello"',
        '{"transactions": {}}',
        '{"transactions": "x"}',
        '{"transactions": null}',
        '{"transactions": []}',
        '{"__proto__": {"transactions": []}}',
        '{"transactions": [{}], "extra": 1}',
        '{"transactions": [1], "transactions": "dup"}',
        '\u0000',
        '{"transactions": ["\\u0000"]}',
      ),
      fc
        .tuple(fc.integer({ min: 100, max: 5_000 }), fc.constantFrom('[', '{"a":'))
        .map(([depth, open]) => `{"transactions": ${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}}`),
      fc.integer({ min: 1_001, max: 1_200 }).map((n) => JSON.stringify({ transactions: Array.from({ length: n }, (_, i) => ({ txId: `many-${i}` })) })),
    )
    await fc.assert(
      fc.asyncProperty(
        wholeBody,
        fc.constantFrom<'plain' | 'batched'>('plain', 'batched'),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'),
        async (body, mode, contentType) => {
          const before = await server.app.db.transaction.count({ where: { orgId: server.orgId } })
          const path = mode === 'plain' ? '/trpc/ingest.transactions' : '/trpc/ingest.transactions?batch=1'
          const sent = mode === 'batched' && typeof body === 'string' ? `{"0":${body || 'null'}}` : body
          const answer = await call(server.url, 'POST', path, { token: key, body: sent, headers: { 'content-type': contentType } })
          tally.note(`whole body ${mode} ${contentType.split(';')[0]} ${answer.status}`)
          expectNo5xxNoLeak(answer, `ingest whole body (${mode})`)
          if (answer.json === PARSE_FAILED) fail('the answer is not JSON', answer)
          const after = await server.app.db.transaction.count({ where: { orgId: server.orgId } })
          if (answer.status >= 400 && after !== before) fail(`a refused call stored ${after - before} transactions`, answer)
        },
      ),
      fuzzParams(60, 8_000),
    )
  }, 60_000)
})
