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

const bad: fc.Arbitrary<DecisionSpec> = fc.oneof(
  // Refused per decision by the service (valid input, no such anomaly here).
  fc.tuple(good, anyText as fc.Arbitrary<Spec>).map(([d, id]) => ({ ...d, why: 'unknown anomaly id', target: { unknown: id } as Target })),
  fc.tuple(good, fc.integer({ min: 0, max: 2 })).map(([d, other]) => ({ ...d, why: "another tenant's anomaly", target: { other } as Target })),
  // Valid by the contract, hostile in content.
  fc.tuple(good, unsafeText).map(([d, note]) => ({ ...d, why: 'note with NUL or a lone surrogate', note: note as Spec })),
  fc.tuple(good, fc.constantFrom<Spec>(new Repeat('😀', 1_000), new Repeat('x', 1_999, '', '\uD800'), new Repeat('\u0000', 2_000))).map(([d, note]) => ({ ...d, why: 'long hostile note', note })),
  fc.tuple(good, fc.constantFrom<Spec>(MAX_TIME_MS, Date.UTC(3000, 0, 1), Date.now() + 86_400_000)).map(([d, at]) => ({ ...d, why: 'far-future decidedAt', decidedAt: { absolute: at } })),
  fc.tuple(good, fc.integer({ min: 0, max: 5 })).map(([d, repeatOf]) => ({ ...d, why: 'repeats a mutationId of this push', mutationId: { repeatOf } as MutationId })),
  // Refused by the contract, naming the field.
  fc.tuple(good, fc.constantFrom<Spec>(new Repeat('x', 2_001), new Repeat('😀', 100_000), 5, [], null)).map(([d, note]) => ({ ...d, why: 'note too long or not text', invalidField: 'note', note })),
  fc
    .tuple(good, fc.constantFrom<Spec>(1e20, 9e15, 8.64e15 + 1, MAX_TIME_MS + 1, -1, -8.64e15, 1.5, null, 'NaN', '2026-01-01T00:00:00Z', true, [], {}))
    .map(([d, at]) => ({ ...d, why: 'decidedAt out of range or not a number', invalidField: 'decidedAt', decidedAt: { absolute: at } })),
  fc.tuple(good, fc.constantFrom<Spec>('fraud', '', 'confirmed_fraud', 'CONFIRMED_FRAUD ', 'OPEN', 5, null, ['CONFIRMED_FRAUD'])).map(([d, label]) => ({ ...d, why: 'wrong label', invalidField: 'label', label })),
  fc.tuple(good, fc.constantFrom<Spec>('not-a-uuid', '', 5, null, new Repeat('a', 10_000))).map(([d, id]) => ({ ...d, why: 'bad mutationId', invalidField: 'mutationId', mutationId: { bad: id } as MutationId })),
  fc.tuple(good, fc.constantFrom<Spec>('', 5, null)).map(([d, id]) => ({ ...d, why: 'bad anomalyId', invalidField: 'anomalyId', target: { unknown: id } as Target })),
  fc.tuple(good, fc.constantFrom('mutationId', 'anomalyId', 'label', 'decidedAt')).map(([d, drop]) => ({ ...d, why: `missing ${drop}`, invalidField: drop, drop })),
  // Extra fields are not part of the contract; zod strips them (no expectation but no 5xx).
  fc.tuple(good, fc.constantFrom<[string, Spec]>(['__proto__', { status: 'OPEN' }], ['userId', 'fuzz_other'], ['status', 'OPEN'], ['constructor', 1])).map(([d, extra]) => ({ ...d, why: `extra ${extra[0]}`, extra })),
)

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
    own = (await addAnomalies(server.app.db, server.userId, OWN)).anomalyIds
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

  const labelsOf = (mutationId: string) => server.app.db.anomalyLabel.count({ where: { userId: server.userId, mutationId } })

  it('never answers 5xx; refuses bad decisions by field; stores good ones once; refuses foreign and unknown anomalies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ weight: 2, arbitrary: good }, { weight: 3, arbitrary: bad }), { minLength: 1, maxLength: 10 }), async (specs) => {
        const now = Date.now()
        const mutationIds: unknown[] = []
        const decisions = specs.map((spec, i) => {
          let mutationId: unknown = randomUUID()
          if (typeof spec.mutationId === 'object' && 'bad' in spec.mutationId) mutationId = materialize(spec.mutationId.bad)
          if (typeof spec.mutationId === 'object' && 'repeatOf' in spec.mutationId && i > 0) mutationId = mutationIds[spec.mutationId.repeatOf % i]
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
          if (spec.extra) Object.defineProperty(decision, spec.extra[0], { value: materialize(spec.extra[1]), enumerable: true, writable: true, configurable: true })
          return decision
        })
        const otherBefore = await server.app.db.anomaly.findMany({ where: { userId: 'fuzz_other' }, select: { id: true, status: true, updatedAt: true }, orderBy: { id: 'asc' } })
        const answer = await push(decisions)
        tally.note(`push ${answer.status}`)

        const invalid = specs.map((s, i) => [s, i] as const).filter(([s]) => s.invalidField !== null)
        if (invalid.length > 0) {
          if (answer.status !== 400) fail(`a push with invalid decisions (${invalid.map(([s, i]) => `${i}: ${s.why}`).join('; ')}) must be refused`, answer)
          const fieldErrors = (answer.json as { error?: { data?: { fieldErrors?: { path: string; message: string }[] } } }).error?.data?.fieldErrors ?? []
          for (const [spec, i] of invalid) {
            const named = fieldErrors.some((e) => e.path === `decisions.${i}.${spec.invalidField}` || e.path.startsWith(`decisions.${i}.${spec.invalidField}.`))
            if (!named) fail(`decision ${i} (${spec.why}) is not refused by field decisions.${i}.${spec.invalidField}`, answer)
          }
          for (const e of fieldErrors) if (!e.message) fail('a field error without a message', answer)
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
          if (result.outcome === 'rejected' && (typeof result.reason !== 'string' || result.reason.trim() === '')) fail(`${what} rejected without a reason`, answer)
          const repeat = firstOf.get(mutationIds[i])
          firstOf.set(mutationIds[i], repeat ?? i)
          const ownTarget = 'own' in spec.target
          if (repeat !== undefined) {
            if (results[repeat]!.outcome !== 'rejected' && result.outcome !== 'duplicate') fail(`${what}: a repeated mutationId was ${result.outcome}, not duplicate`, answer)
          } else if (!ownTarget) {
            if (result.outcome !== 'rejected') fail(`${what} was ${result.outcome}: only the caller's anomalies may be decided`, answer)
          } else if (spec.why === 'good' || spec.why === 'far-future decidedAt' || spec.why.startsWith('extra')) {
            if (result.outcome !== 'applied' && result.outcome !== 'superseded') fail(`${what} was ${result.outcome}`, answer)
          }
          const stored = await labelsOf(mutationIds[i] as string)
          const expected = result.outcome === 'rejected' && (repeat === undefined || results[repeat]!.outcome === 'rejected') ? 0 : 1
          if (stored !== expected) throw new Error(`${what} (${result.outcome}) is stored ${stored} times, expected ${expected}`)
        }
        const otherAfter = await server.app.db.anomaly.findMany({ where: { userId: 'fuzz_other' }, select: { id: true, status: true, updatedAt: true }, orderBy: { id: 'asc' } })
        if (JSON.stringify(otherAfter) !== JSON.stringify(otherBefore)) throw new Error("another tenant's anomalies changed")
        if ((await server.app.db.anomalyLabel.count({ where: { userId: 'fuzz_other' } })) !== 0) throw new Error('a decision was stored on the other tenant')
      }),
      fuzzParams(120, 25_000),
    )
  }, 120_000)

  it('a far-future decidedAt never outranks a later real decision (client times are clamped to the server now)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: OWN - 1 }),
        fc.oneof(fc.integer({ min: 1_000, max: 400 * 86_400_000 }).map((ahead) => ({ ahead })), fc.constant({ ahead: 'max' as const })),
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
          if (result.outcome !== 'applied' || result.status !== second) fail(`the later real decision (${second}) was ${result.outcome} with status ${result.status}`, b)
          const anomaly = await server.app.db.anomaly.findUniqueOrThrow({ where: { id: anomalyId } })
          if (anomaly.status !== second) throw new Error(`anomaly status ${anomaly.status}, expected the later decision's ${second}`)
          const stored = await server.app.db.anomalyLabel.findFirst({ where: { userId: server.userId, mutationId: futureId } })
          if (stored === null) throw new Error('the far-future decision was not stored')
          if (stored.decidedAt.getTime() > afterA) throw new Error(`a far-future decidedAt was stored as ${stored.decidedAt.toISOString()}, after the server received it`)
        },
      ),
      fuzzParams(40, 15_000),
    )
  }, 60_000)
})
