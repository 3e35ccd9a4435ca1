import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createUserWithAnomalies } from '../helpers/fixtures.ts'
import { anyText, badTimestamp, hostileNumber, materialize, MAX_TIME_MS, unsafeText, type Spec } from './arbitraries.ts'
import { addAnomalies } from './fixtures.ts'
import { call, expectNo5xxNoLeak, fail, fuzzParams, PARSE_FAILED, startFuzzServer, Tally, type FuzzServer } from './harness.ts'

/**
 * The list procedures (`anomalies.list`, `transactions.list`, `audit.list`,
 * `sync.pull`, and the plain `GET /sync/pull`) with random cursors (garbage, another
 * tenant's rows encoded the way each procedure encodes its own, out-of-range dates)
 * and random filter values. Properties: never 5xx; every answer parses; no message
 * leaks internals; a cursor naming another tenant's row is refused; no page ever
 * holds another tenant's rows.
 */

const OTHER = 'fuzz_other_tenant'

const b64url = (text: string) => Buffer.from(text).toString('base64url')

interface Foreign {
  anomalyId: string
  transactionId: string
  audit: { id: string; createdAt: Date }
  anomalyUpdatedAt: number
}

type CursorSpec =
  | { kind: 'foreign-anomaly' }
  | { kind: 'foreign-transaction' }
  | { kind: 'foreign-audit' }
  | { kind: 'foreign-sync' }
  | { kind: 'audit-out-of-range'; at: Spec }
  | { kind: 'sync-out-of-range'; at: Spec }
  | { kind: 'random'; value: Spec }
  | { kind: 'uuid'; value: string }

const cursor: fc.Arbitrary<CursorSpec> = fc.oneof(
  fc.constantFrom<CursorSpec>({ kind: 'foreign-anomaly' }, { kind: 'foreign-transaction' }, { kind: 'foreign-audit' }, { kind: 'foreign-sync' }),
  fc
    .constantFrom<Spec>('+275760-09-13T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '-000001-01-01T00:00:00Z', '10000-01-01T00:00:00Z', 1e20, 9e15, null, 'x')
    .map((at): CursorSpec => ({ kind: 'audit-out-of-range', at })),
  fc.constantFrom<Spec>(9e15, 1e20, -1, 'NaN', 1.5, MAX_TIME_MS + 1, 8.64e15).map((at): CursorSpec => ({ kind: 'sync-out-of-range', at })),
  fc
    .oneof(anyText as fc.Arbitrary<Spec>, fc.constantFrom<Spec>('', 5, null, [], {}, '!!!', 'bnVsbA', 'W10'))
    .map((value): CursorSpec => ({ kind: 'random', value })),
  fc.uuid().map((value): CursorSpec => ({ kind: 'uuid', value })),
)

// Mostly well-typed values (so that requests get past the schema to the database), sometimes not.
const time: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: MAX_TIME_MS }) as fc.Arbitrary<Spec> },
  { weight: 1, arbitrary: badTimestamp as fc.Arbitrary<Spec> },
  { weight: 1, arbitrary: hostileNumber as fc.Arbitrary<Spec> },
)
const text: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 2, arbitrary: anyText as fc.Arbitrary<Spec> },
  { weight: 2, arbitrary: unsafeText as fc.Arbitrary<Spec> },
  { weight: 2, arbitrary: fc.constantFrom<Spec>('AMOUNT_SPIKE', 'billing.', '%', '_', '\\', 'a\u0000b', '\uD800', "'; SELECT pg_sleep(1); --") },
  { weight: 1, arbitrary: fc.constantFrom<Spec>('', 5, null, []) },
)
const limit: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 200 }) as fc.Arbitrary<Spec> },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 3_000 }) as fc.Arbitrary<Spec> },
  { weight: 1, arbitrary: hostileNumber as fc.Arbitrary<Spec> },
  { weight: 1, arbitrary: fc.constantFrom<Spec>('10', null) },
)

const procedures = ['anomalies.list', 'transactions.list', 'audit.list', 'sync.pull', 'GET /sync/pull'] as const
type Procedure = (typeof procedures)[number]

const filters: Record<Procedure, fc.Arbitrary<Record<string, Spec>>> = {
  'anomalies.list': fc.record(
    {
      severity: fc.oneof(
        fc.subarray<Spec>(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']) as fc.Arbitrary<Spec>,
        fc.array(text, { maxLength: 3 }) as fc.Arbitrary<Spec>,
        text,
      ),
      status: fc.oneof(
        fc.subarray<Spec>(['OPEN', 'CONFIRMED_FRAUD', 'FALSE_POSITIVE', 'NEEDS_REVIEW']) as fc.Arbitrary<Spec>,
        fc.array(text, { maxLength: 3 }) as fc.Arbitrary<Spec>,
      ),
      rule: text,
      accountId: text,
      from: time,
      to: time,
      limit,
    },
    { requiredKeys: [] },
  ),
  'transactions.list': fc.record({ accountId: text, merchantId: text, from: time, to: time, limit }, { requiredKeys: [] }),
  'audit.list': fc.record({ action: text, entityType: text, from: time, to: time, limit }, { requiredKeys: [] }),
  'sync.pull': fc.record({ limit, withTotal: fc.constantFrom<Spec>(true, false, 'yes', null) }, { requiredKeys: [] }),
  'GET /sync/pull': fc.record({ limit: fc.oneof(limit, text), withTotal: fc.constantFrom<Spec>('0', '1', 'yes', '') }, { requiredKeys: [] }),
}

const request = fc.constantFrom(...procedures).chain((procedure) =>
  fc.record({
    procedure: fc.constant(procedure),
    filters: filters[procedure],
    cursor: fc.option(cursor, { nil: undefined }),
    extra: fc.option(fc.tuple(fc.constantFrom('userId', 'orgId', '__proto__', 'orderBy', 'where'), text), { nil: undefined }),
    wrapper: fc.constantFrom<'object' | 'non-object' | 'no-input' | 'broken-json'>(
      'object',
      'object',
      'object',
      'object',
      'object',
      'object',
      'non-object',
      'no-input',
      'broken-json',
    ),
  }),
)

type ListRequest = typeof request extends fc.Arbitrary<infer T> ? T : never

/** Percent-encodes any JS string (lone surrogates become U+FFFD, as a browser would send them). */
const encodeQueryValue = (value: string) =>
  [...Buffer.from(value, 'utf8')]
    .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('')

describe('fuzz: list procedures with random cursors and filters', () => {
  let server: FuzzServer
  let foreign: Foreign
  const foreignIds = new Set<string>()

  beforeAll(async () => {
    server = await startFuzzServer({ JOB_POLL_SECONDS: '60' })
    await addAnomalies(server.app.db, server.orgId, 5)
    await server.app.db.auditLog.create({ data: { orgId: server.orgId, actor: server.userId, action: 'fuzz.own', entityType: 'Fuzz', entityId: 'own' } })
    const other = await createUserWithAnomalies(server.app.db, OTHER, 3)
    const audit = await server.app.db.auditLog.create({
      data: { orgId: OTHER, actor: OTHER, action: 'billing.plan_change', entityType: 'Subscription', entityId: 'x' },
    })
    const anomaly = await server.app.db.anomaly.findUniqueOrThrow({ where: { id: other.anomalyIds[0]! } })
    foreign = {
      anomalyId: anomaly.id,
      transactionId: other.transactionIds[0]!,
      audit: { id: audit.id, createdAt: audit.createdAt },
      anomalyUpdatedAt: anomaly.updatedAt.getTime(),
    }
    for (const id of [...other.anomalyIds, ...other.transactionIds, audit.id]) foreignIds.add(id)
  })
  const tally = new Tally('list procedures: procedure, status, first words of the refusal')
  afterAll(async () => {
    tally.print()
    await server?.stop()
  })

  const cursorValue = (spec: CursorSpec): unknown => {
    switch (spec.kind) {
      case 'foreign-anomaly':
        return foreign.anomalyId
      case 'foreign-transaction':
        return foreign.transactionId
      case 'foreign-audit':
        return b64url(JSON.stringify([foreign.audit.createdAt.toISOString(), foreign.audit.id]))
      case 'foreign-sync':
        return b64url(`${foreign.anomalyUpdatedAt}:${foreign.anomalyId}`)
      case 'audit-out-of-range':
        return b64url(JSON.stringify([materialize(spec.at), foreign.audit.id]))
      case 'sync-out-of-range':
        return b64url(`${String(materialize(spec.at))}:${foreign.anomalyId}`)
      case 'random':
        return materialize(spec.value)
      case 'uuid':
        return spec.value
    }
  }

  /** Whether this cursor names another tenant's row in the encoding this procedure uses for its own. */
  const namesForeignRow = (procedure: Procedure, spec: CursorSpec | undefined): boolean =>
    (spec?.kind === 'foreign-anomaly' && procedure === 'anomalies.list') ||
    (spec?.kind === 'foreign-transaction' && procedure === 'transactions.list') ||
    (spec?.kind === 'foreign-audit' && procedure === 'audit.list') ||
    (spec?.kind === 'foreign-sync' && (procedure === 'sync.pull' || procedure === 'GET /sync/pull'))

  it('never 5xx, always parses, leaks nothing, refuses foreign cursors, never serves another tenant’s rows', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ procedure, filters: specFilters, cursor: cursorSpec, extra, wrapper }) => {
        const input: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(specFilters)) input[k] = materialize(v)
        if (cursorSpec !== undefined) input.cursor = cursorValue(cursorSpec)
        else if (procedure === 'sync.pull') input.cursor = null
        if (extra) Object.defineProperty(input, extra[0], { value: materialize(extra[1]), enumerable: true, writable: true, configurable: true })

        let pathAndQuery: string
        if (procedure === 'GET /sync/pull') {
          const query = Object.entries(input)
            .filter(([, v]) => v !== undefined && v !== null)
            .map(([k, v]) => `${encodeQueryValue(k)}=${encodeQueryValue(typeof v === 'string' ? v : JSON.stringify(v))}`)
          pathAndQuery = `/sync/pull${query.length ? `?${query.join('&')}` : ''}`
        } else {
          const json =
            wrapper === 'object'
              ? JSON.stringify(input)
              : wrapper === 'non-object'
                ? JSON.stringify([input])
                : wrapper === 'broken-json'
                  ? '{"cursor":'
                  : undefined
          pathAndQuery = `/trpc/${procedure}${json === undefined ? '' : `?input=${encodeURIComponent(json)}`}`
        }
        const answer = await call(server.url, 'GET', pathAndQuery, { token: server.token })
        const refusal = (answer.json as { error?: { message?: unknown } } | null)?.error?.message
        tally.note(`${procedure} ${answer.status} ${typeof refusal === 'string' ? refusal.replace(/\s+/g, ' ').slice(0, 50) : ''}`)
        expectNo5xxNoLeak(answer, procedure)
        if (answer.json === PARSE_FAILED && answer.status !== 414 && answer.status !== 431) fail(`${procedure} answered a body that is not JSON`, answer)
        const foreignCursor = wrapper === 'object' && namesForeignRow(procedure, cursorSpec)
        if (foreignCursor && answer.status === 200) fail(`${procedure} served a page after another tenant's row (cursor ${cursorSpec?.kind})`, answer)
        if (answer.status === 200) {
          for (const id of foreignIds) if (answer.text.includes(id)) fail(`${procedure} served another tenant's row ${id}`, answer)
        } else if (answer.json !== PARSE_FAILED && answer.status !== 414 && answer.status !== 431) {
          // (414/431 come from Node's HTTP parser before any route: Fastify's own shape.)
          const body = answer.json as { error?: { message?: unknown; data?: { fieldErrors?: unknown; appError?: unknown } } }
          const message = body.error?.message
          if (typeof message !== 'string' || message.trim() === '') fail(`${procedure} refused without a message`, answer)
        }
      }),
      fuzzParams<[ListRequest]>(250, 20_000, [
        // Found 2026-12-04: a lone surrogate in a text filter was a 500.
        [{ procedure: 'anomalies.list', filters: { accountId: '\uD800' }, cursor: undefined, extra: undefined, wrapper: 'object' }],
        [{ procedure: 'transactions.list', filters: { accountId: '\uD800' }, cursor: undefined, extra: undefined, wrapper: 'object' }],
        [{ procedure: 'transactions.list', filters: { merchantId: 'a\u0000b' }, cursor: undefined, extra: undefined, wrapper: 'object' }],
        [{ procedure: 'anomalies.list', filters: { rule: 'a\u0000b' }, cursor: undefined, extra: undefined, wrapper: 'object' }],
        [{ procedure: 'audit.list', filters: { action: '\uD800' }, cursor: undefined, extra: undefined, wrapper: 'object' }],
      ]),
    )
  }, 120_000)

  it('each procedure pages the caller’s own rows to the end with its own cursors', async () => {
    // The harness check: own cursors are accepted (so refusals above are about the cursor, not the encoding).
    for (const procedure of ['anomalies.list', 'transactions.list', 'sync.pull'] as const) {
      let cursorValue: string | null | undefined = procedure === 'sync.pull' ? null : undefined
      for (let page = 0; page < 10; page += 1) {
        const input = procedure === 'sync.pull' ? { cursor: cursorValue, limit: 2 } : { limit: 2, ...(cursorValue ? { cursor: cursorValue } : {}) }
        const answer = await call(server.url, 'GET', `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, { token: server.token })
        if (answer.status !== 200) fail(`${procedure} page ${page}`, answer)
        const data = (answer.json as { result: { data: { nextCursor: string | null; hasMore?: boolean } } }).result.data
        if (data.nextCursor === null || data.nextCursor === cursorValue || data.hasMore === false) break
        cursorValue = data.nextCursor
      }
    }
  })
})
