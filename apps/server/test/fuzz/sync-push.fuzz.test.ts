import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { createUserWithAnomalies } from '../helpers/fixtures.ts'
import { anyText, materialize, MAX_TIME_MS, Repeat, safeText, unsafeText, type Spec } from './arbitraries.ts'
import { addAnomalies } from './fixtures.ts'
import { call, expectNo5xxNoLeak, fail, fuzzParams, PARSE_FAILED, startFuzzServer, Tally, type Answer, type FuzzServer } from './harness.ts'

/**
 * `sync.push` over HTTP (tRPC, the local analyst's token) with generated decisions:
 * unknown anomaly ids, another tenant's, huge notes with lone surrogates and NUL,
 * decidedAt out of range / far future / negative / NaN-like, mutationIds repeated in
 * one push, wrong labels, missing and extra fields.
 * Properties: no 5xx; input the contract refuses is refused naming each bad
 * decision's field; a good decision is stored once; a refused one (unknown or foreign
 * anomaly) is reported with a reason and changes nothing; a far-future decidedAt
 * never outranks a later real decision.
 */

const LABELS = ['CONFIRMED_FRAUD', 'FALSE_POSITIVE', 'NEEDS_REVIEW'] as const
const OWN = 10

type Target = { own: number } | { other: number } | { unknown: Spec }
type MutationId = 'fresh' | { repeatOf: number } | { bad: Spec }

interface DecisionSpec {
  why: string
  /** The contract (ZPushInput) refuses it: the whole push is a 400 naming `decisions.<i>.<field>`. */
  invalidField: string | null
  /**
   * Hostile content the contract may refuse by this field (unsafe or overlong text) or
   * the service may take or reject: either is fine, a 5xx or an unnamed refusal is not.
   */
  maybeField?: string
  target: Target
  label: Spec
  note?: Spec
  /** Relative to now (ms) unless absolute. */
  decidedAt: { ago: number } | { absolute: Spec }
  mutationId: MutationId
  drop?: string
  extra?: [string, Spec]
}

const good: fc.Arbitrary<DecisionSpec> = fc.record(
  {
    why: fc.constant('good'),
    invalidField: fc.constant(null),
    target: fc.integer({ min: 0, max: OWN - 1 }).map((own): Target => ({ own })),
    label: fc.constantFrom<Spec>(...LABELS),
    note: safeText(200) as fc.Arbitrary<Spec>,
    decidedAt: fc.integer({ min: 1, max: 365 * 86_400_000 }).map((ago) => ({ ago })),
    mutationId: fc.constant<MutationId>('fresh'),
  },
  { requiredKeys: ['why', 'invalidField', 'target', 'label', 'decidedAt', 'mutationId'] },
)

/** Decisions the contract lets through (or may refuse by field), hostile in content. */
const serviceBad: fc.Arbitrary<DecisionSpec> = fc.oneof(
  // Refused per decision by the service (valid input, no such anomaly here).
  fc
    .tuple(good, anyText as fc.Arbitrary<Spec>)
    .map(([d, id]) => ({ ...d, why: 'unknown anomaly id', maybeField: 'anomalyId', target: { unknown: id } as Target })),
  fc.tuple(good, fc.integer({ min: 0, max: 2 })).map(([d, other]) => ({ ...d, why: "another tenant's anomaly", target: { other } as Target })),
  // Valid by the contract, hostile in content.
  fc.tuple(good, unsafeText).map(([d, note]) => ({ ...d, why: 'note with NUL or a lone surrogate', maybeField: 'note', note: note as Spec })),
  fc
    .tuple(good, fc.constantFrom<Spec>(new Repeat('😀', 1_000), new Repeat('x', 1_999, '', '\uD800'), new Repeat('\u0000', 2_000)))
    .map(([d, note]) => ({ ...d, why: 'long hostile note', maybeField: 'note', note })),
  fc
    .tuple(good, fc.constantFrom<Spec>(MAX_TIME_MS, Date.UTC(3000, 0, 1), Date.now() + 86_400_000))
    .map(([d, at]) => ({ ...d, why: 'far-future decidedAt', decidedAt: { absolute: at } })),
  fc
    .tuple(good, fc.integer({ min: 0, max: 5 }))
    .map(([d, repeatOf]) => ({ ...d, why: 'repeats a mutationId of this push', mutationId: { repeatOf } as MutationId })),
  // Extra fields are not part of the contract; zod strips them (no expectation but no 5xx).
  fc
    .tuple(
      good,
      fc.constantFrom<[string, Spec]>(
        ['__proto__', { status: 'OPEN' }],
        ['userId', 'fuzz_other'],
        ['orgId', 'fuzz_other'],
        ['status', 'OPEN'],
        ['constructor', 1],
      ),
    )
    .map(([d, extra]) => ({ ...d, why: `extra ${extra[0]}`, extra })),
)

/** Decisions the contract refuses, naming the field: one makes the whole push a 400. */
const contractBad: fc.Arbitrary<DecisionSpec> = fc.oneof(
  fc
    .tuple(good, fc.constantFrom<Spec>(new Repeat('x', 2_001), new Repeat('😀', 100_000), 5, [], null))
    .map(([d, note]) => ({ ...d, why: 'note too long or not text', invalidField: 'note', note })),
  fc
    .tuple(good, fc.constantFrom<Spec>(1e20, 9e15, 8.64e15 + 1, MAX_TIME_MS + 1, -1, -8.64e15, 1.5, null, 'NaN', '2026-01-01T00:00:00Z', true, [], {}))
    .map(([d, at]) => ({ ...d, why: 'decidedAt out of range or not a number', invalidField: 'decidedAt', decidedAt: { absolute: at } })),
  fc
    .tuple(good, fc.constantFrom<Spec>('fraud', '', 'confirmed_fraud', 'CONFIRMED_FRAUD ', 'OPEN', 5, null, ['CONFIRMED_FRAUD']))
    .map(([d, label]) => ({ ...d, why: 'wrong label', invalidField: 'label', label })),
  fc
    .tuple(good, fc.constantFrom<Spec>('not-a-uuid', '', 5, null, new Repeat('a', 10_000)))
    .map(([d, id]) => ({ ...d, why: 'bad mutationId', invalidField: 'mutationId', mutationId: { bad: id } as MutationId })),
  fc
    .tuple(good, fc.constantFrom<Spec>('', 5, null))
    .map(([d, id]) => ({ ...d, why: 'bad anomalyId', invalidField: 'anomalyId', target: { unknown: id } as Target })),
  fc
    .tuple(good, fc.constantFrom('mutationId', 'anomalyId', 'label', 'decidedAt'))
    .map(([d, drop]) => ({ ...d, why: `missing ${drop}`, invalidField: drop, drop })),
)

/** A push: good and service-level hostile decisions, and in about a third of pushes one or two the contract refuses. */
const pushSpecs: fc.Arbitrary<DecisionSpec[]> = fc
  .tuple(
    fc.array(fc.oneof({ weight: 2, arbitrary: good }, { weight: 3, arbitrary: serviceBad }), { minLength: 1, maxLength: 10 }),
    fc.option(fc.array(fc.tuple(contractBad, fc.nat()), { minLength: 1, maxLength: 2 }), { freq: 2 }),
  )
  .map(([specs, inserts]) => {
    const out = [...specs]
    for (const [spec, at] of inserts ?? []) out.splice(at % (out.length + 1), 0, spec)
    return out
  })

interface PushResult {
  mutationId: string
  outcome: 'applied' | 'duplicate' | 'superseded' | 'rejected'
  status: string | null
  reason?: string
}

describe('fuzz: sync.push over HTTP', () => {
  let server: FuzzServer
  let own: string[]
  let others: string[]

  beforeAll(async () => {
    server = await startFuzzServer({ JOB_POLL_SECONDS: '0.5', RETRAIN_AFTER_LABELS: '0' })
    own = (await addAnomalies(server.app.db, server.orgId, OWN)).anomalyIds
    others = (await createUserWithAnomalies(server.app.db, 'fuzz_other', 3)).anomalyIds
  })
  const tally = new Tally('sync.push: push status; decision kind -> outcome')
  afterAll(async () => {
    tally.print()
    await server?.stop()
  })

  const push = async (decisions: unknown[]): Promise<Answer> => {
    const answer = await call(server.url, 'POST', '/trpc/sync.push', { token: server.token, json: { decisions } })
    expectNo5xxNoLeak(answer, 'sync.push')
    if (answer.json === PARSE_FAILED) fail('sync.push answered a body that is not JSON', answer)
    return answer
  }

  const labelsOf = (mutationId: string) => server.app.db.anomalyLabel.count({ where: { orgId: server.orgId, mutationId } })

  it('never answers 5xx; refuses bad decisions by field; stores good ones once; refuses foreign and unknown anomalies', async () => {
    await fc.assert(
      fc.asyncProperty(pushSpecs, async (specs) => {
        const now = Date.now()
        const mutationIds: unknown[] = []
        const badMutationId = new Set<number>()
        const decisions = specs.map((spec, i) => {
          let mutationId: unknown = randomUUID()
          if (typeof spec.mutationId === 'object' && 'bad' in spec.mutationId) {
            mutationId = materialize(spec.mutationId.bad)
            badMutationId.add(i)
          }
          if (typeof spec.mutationId === 'object' && 'repeatOf' in spec.mutationId && i > 0) {
            const source = spec.mutationId.repeatOf % i
            mutationId = mutationIds[source]
            // A repeat of a bad mutationId is as bad (the contract refuses it by the same field).
            if (badMutationId.has(source)) {
              badMutationId.add(i)
              specs[i] = { ...spec, why: 'repeats a bad mutationId', invalidField: 'mutationId' }
            }
          }
          mutationIds.push(mutationId)
          const anomalyId = 'own' in spec.target ? own[spec.target.own] : 'other' in spec.target ? others[spec.target.other] : materialize(spec.target.unknown)
          const decision: Record<string, unknown> = {
            mutationId,
            anomalyId,
            label: materialize(spec.label),
            decidedAt: 'ago' in spec.decidedAt ? now - spec.decidedAt.ago : materialize(spec.decidedAt.absolute),
          }
          if (spec.note !== undefined) decision.note = materialize(spec.note)
          if (spec.drop) delete decision[spec.drop]
          if (spec.extra)
            Object.defineProperty(decision, spec.extra[0], { value: materialize(spec.extra[1]), enumerable: true, writable: true, configurable: true })
          return decision
        })
        const otherBefore = await server.app.db.anomaly.findMany({
          where: { orgId: 'fuzz_other' },
          select: { id: true, status: true, updatedAt: true },
          orderBy: { id: 'asc' },
        })
        const answer = await push(decisions)
        tally.note(`push ${answer.status}`)

        const invalid = specs.map((s, i) => [s, i] as const).filter(([s]) => s.invalidField !== null)
        const maybe = specs.map((s, i) => [s, i] as const).filter(([s]) => s.invalidField === null && s.maybeField !== undefined)
        if (invalid.length > 0 || answer.status === 400) {
          if (answer.status !== 400) fail(`a push with invalid decisions (${invalid.map(([s, i]) => `${i}: ${s.why}`).join('; ')}) must be refused`, answer)
          const fieldErrors = (answer.json as { error?: { data?: { fieldErrors?: { path: string; message: string }[] } } }).error?.data?.fieldErrors ?? []
          const names = (i: number, field: string) => (e: { path: string }) =>
            e.path === `decisions.${i}.${field}` || e.path.startsWith(`decisions.${i}.${field}.`)
          for (const [spec, i] of invalid) {
            if (!fieldErrors.some(names(i, spec.invalidField!)))
              fail(`decision ${i} (${spec.why}) is not refused by field decisions.${i}.${spec.invalidField}`, answer)
          }
          // Every field error is about a decision that may be refused, by that decision's field.
          for (const e of fieldErrors) {
            if (!e.message) fail('a field error without a message', answer)
            const owner = [...invalid, ...maybe].some(([spec, i]) => names(i, (spec.invalidField ?? spec.maybeField)!)(e))
            if (!owner) fail(`field error ${e.path} refuses a decision that is valid (or names the wrong field)`, answer)
          }
          if (fieldErrors.length === 0) fail('a 400 without field errors', answer)
          for (const id of mutationIds) if (typeof id === 'string' && (await labelsOf(id)) !== 0) throw new Error(`a refused push stored decision ${id}`)
          return
        }
        if (answer.status !== 200) fail('a push of valid decisions was refused', answer)
        const results = (answer.json as { result: { data: { results: PushResult[] } } }).result.data.results
        if (results.length !== specs.length) fail(`${specs.length} decisions, ${results.length} results`, answer)
        const firstOf = new Map<unknown, number>()
        for (const [i, spec] of specs.entries()) {
          const result = results[i]!
          const what = `decision ${i} (${spec.why})`
          tally.note(`${spec.why} -> ${result.outcome}`)
          if (result.mutationId !== mutationIds[i]) fail(`${what}: result for another mutationId`, answer)
          if (result.outcome === 'rejected' && (typeof result.reason !== 'string' || result.reason.trim() === ''))
            fail(`${what} rejected without a reason`, answer)
          const repeat = firstOf.get(mutationIds[i])
          firstOf.set(mutationIds[i], repeat ?? i)
          const ownTarget = 'own' in spec.target
          if (repeat !== undefined) {
            if (results[repeat]!.outcome !== 'rejected' && result.outcome !== 'duplicate')
              fail(`${what}: a repeated mutationId was ${result.outcome}, not duplicate`, answer)
          } else if (!ownTarget) {
            if (result.outcome !== 'rejected') fail(`${what} was ${result.outcome}: only the caller's anomalies may be decided`, answer)
          } else if (spec.why === 'good' || spec.why === 'far-future decidedAt' || spec.why.startsWith('extra')) {
            if (result.outcome !== 'applied' && result.outcome !== 'superseded') fail(`${what} was ${result.outcome}`, answer)
          }
        }
        // Each mutationId is stored once if any decision carrying it was taken, never twice.
        for (const id of new Set(mutationIds as string[])) {
          const taken = results.filter((r, i) => mutationIds[i] === id && (r.outcome === 'applied' || r.outcome === 'superseded'))
          if (taken.length > 1) throw new Error(`mutationId ${id} was taken ${taken.length} times in one push`)
          const stored = await labelsOf(id)
          if (stored !== taken.length)
            throw new Error(
              `mutationId ${id} is stored ${stored} times, expected ${taken.length} (${results
                .filter((r) => r.mutationId === id)
                .map((r) => r.outcome)
                .join(', ')})`,
            )
        }
        const otherAfter = await server.app.db.anomaly.findMany({
          where: { orgId: 'fuzz_other' },
          select: { id: true, status: true, updatedAt: true },
          orderBy: { id: 'asc' },
        })
        if (JSON.stringify(otherAfter) !== JSON.stringify(otherBefore)) throw new Error("another tenant's anomalies changed")
        if ((await server.app.db.anomalyLabel.count({ where: { orgId: 'fuzz_other' } })) !== 0) throw new Error('a decision was stored on the other tenant')
      }),
      fuzzParams<[DecisionSpec[]]>(100, 20_000, [
        // Found 2026-12-04: a lone surrogate as anomalyId was a 500 (Prisma's raw-query parameters).
        [
          [
            {
              why: 'unknown anomaly id',
              invalidField: null,
              maybeField: 'anomalyId',
              target: { unknown: '\uD800' },
              label: 'CONFIRMED_FRAUD',
              decidedAt: { ago: 1 },
              mutationId: 'fresh',
            },
          ],
        ],
        [
          [
            {
              why: 'note with NUL or a lone surrogate',
              invalidField: null,
              maybeField: 'note',
              target: { own: 0 },
              label: 'NEEDS_REVIEW',
              note: 'a\u0000b',
              decidedAt: { ago: 1 },
              mutationId: 'fresh',
            },
          ],
        ],
        [
          [
            {
              why: 'note with NUL or a lone surrogate',
              invalidField: null,
              maybeField: 'note',
              target: { own: 1 },
              label: 'NEEDS_REVIEW',
              note: 'a\uD800',
              decidedAt: { ago: 1 },
              mutationId: 'fresh',
            },
          ],
        ],
      ]),
    )
  }, 120_000)

  it('a far-future decidedAt never outranks a later real decision (client times are clamped to the server now)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: OWN - 1 }),
        fc.oneof(
          fc.integer({ min: 1_000, max: 400 * 86_400_000 }).map((ahead) => ({ ahead })),
          fc.constant({ ahead: 'max' as const }),
        ),
        fc.constantFrom(...LABELS),
        fc.constantFrom(...LABELS),
        async (index, future, first, second) => {
          fc.pre(first !== second)
          const anomalyId = own[index]!
          const futureAt = future.ahead === 'max' ? MAX_TIME_MS : Date.now() + future.ahead
          const futureId = randomUUID()
          const a = await push([{ mutationId: futureId, anomalyId, label: first, decidedAt: futureAt }])
          if (a.status !== 200) fail('the far-future decision was refused', a)
          const afterA = Date.now()
          await sleep(3)
          const b = await push([{ mutationId: randomUUID(), anomalyId, label: second, decidedAt: Date.now() }])
          if (b.status !== 200) fail('the later decision was refused', b)
          const result = (b.json as { result: { data: { results: PushResult[] } } }).result.data.results[0]!
          if (result.outcome !== 'applied' || result.status !== second)
            fail(`the later real decision (${second}) was ${result.outcome} with status ${result.status}`, b)
          const anomaly = await server.app.db.anomaly.findUniqueOrThrow({ where: { id: anomalyId } })
          if (anomaly.status !== second) throw new Error(`anomaly status ${anomaly.status}, expected the later decision's ${second}`)
          const stored = await server.app.db.anomalyLabel.findFirst({ where: { orgId: server.orgId, mutationId: futureId } })
          if (stored === null) throw new Error('the far-future decision was not stored')
          if (stored.decidedAt.getTime() > afterA)
            throw new Error(`a far-future decidedAt was stored as ${stored.decidedAt.toISOString()}, after the server received it`)
        },
      ),
      fuzzParams(30, 8_000),
    )
  }, 60_000)
})
