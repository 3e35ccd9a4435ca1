import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError, type RuleDefinition, type TRulesInForce } from '@anomalyze/shared'
import { DEFAULT_RULE_SET, FEATURE_NAMES } from '@anomalyze/shared/engine'
import type { LocalBacktestJob } from '../../contract/rules.ts'
import { createCore, type Core } from '../create-core.ts'
import { makeAnomaly, seedAnomalies } from '../../../test/support/fixtures.ts'
import { writeGeneratedCsv } from '../../../test/support/generated-csv.ts'
import { createRuleSetCache } from './rule-set-cache.ts'
import { syncRulesInForce } from './sync-rules.ts'

let dir: string
let core: Core

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anomalyze-rules-test-'))
  core = createCore({ dataDir: join(dir, 'data') })
})

afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

async function call<T>(result: Promise<{ data?: T; error?: { code: string; message: string } }>): Promise<T> {
  const r = await result
  if (r.error !== undefined) throw new AppError(r.error.code as AppError['code'], r.error.message)
  return r.data as T
}

async function failure(result: Promise<{ data?: unknown; error?: { code: string; message: string } }>): Promise<{ code: string; message: string }> {
  const r = await result
  if (r.error === undefined) throw new Error('expected a refusal')
  return r.error
}

const rule = (name: string, expression: string, over: Partial<RuleDefinition> = {}): RuleDefinition => ({
  name,
  expression,
  description: '',
  mode: 'ACTIVE',
  severityFloor: null,
  scoreBoost: null,
  ...over,
})

async function settledBacktest(jobId: string): Promise<LocalBacktestJob> {
  for (;;) {
    const job = await call(core.handlers['rules.backtestLocalJob']({ jobId }))
    if (job.status !== 'running') return job
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function scoreFile(name: string): Promise<{ batchId: string; lines: string[] }> {
  const path = join(dir, name)
  core.allowPath(path, 'read')
  writeGeneratedCsv(path, { rows: 4_000, seed: 7 })
  const inspection = await call(core.handlers['scoring.inspect']({ source: { path } }))
  const started = await call(core.handlers['scoring.start']({ source: { path }, mapping: inspection.mapping }))
  const job = await core.scoring.settled(started.jobId)
  expect(job.state).toBe('done')
  return { batchId: job.batchId, lines: readFileSync(path, 'utf8').trim().split('\n').slice(1) }
}

const ORG = 'org_rules'
// Two terminals of the generated file, picked once it is written.
let denied: string[] = ['T1', 'T2']

function customSet(trusted: string): TRulesInForce {
  return {
    version: 7,
    rules: [
      ...DEFAULT_RULE_SET.rules,
      rule('DENIED_TERMINAL', 'merchant_id in list("deny terminals")', { severityFloor: 'HIGH' }),
      rule('WATCH_BIG', 'amount > 150', { mode: 'SHADOW' }),
    ],
    lists: [
      { name: 'deny terminals', kind: 'DENY', field: 'merchant_id', entries: denied.map((value) => ({ value, reason: 'skimmer' })) },
      { name: 'trusted', kind: 'ALLOW', field: 'account_id', entries: [{ value: trusted, reason: 'payroll account' }] },
    ],
  }
}

describe('the rule set in force on the console', () => {
  let defaultBatch: { batchId: string; lines: string[] }

  it('is the built-in set (version 0) before any sync, and checks rules against no lists', async () => {
    const inForce = await call(core.handlers['rules.inForce']({}))
    expect(inForce).toEqual({ version: 0, rules: DEFAULT_RULE_SET.rules, lists: [], syncedAt: null })
    expect(await call(core.handlers['rules.check']({ expression: 'amount > 10 and country == "RU"' }))).toEqual([])
    const [unknownList] = await call(core.handlers['rules.check']({ expression: 'merchant_id in list("deny terminals")' }))
    expect(unknownList).toMatchObject({ line: 1, message: expect.stringContaining('deny terminals') })
    const [syntax] = await call(core.handlers['rules.check']({ expression: 'amount >\n  and country == "RU"' }))
    expect(syntax).toMatchObject({ line: 2, column: 3 })
  })

  it('scores a file with the built-in set, and a backtest of that set replays the file to the same rule hits', async () => {
    defaultBatch = await scoreFile('default.csv')
    const terminals = new Map<string, number>()
    for (const l of defaultBatch.lines) terminals.set(l.split(',')[3] ?? '', (terminals.get(l.split(',')[3] ?? '') ?? 0) + 1)
    denied = [...terminals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([t]) => t)
    const cache = createRuleSetCache(core.store.db)
    expect(cache.batchVersion(defaultBatch.batchId)).toBe(0)
    const queueHits = (name: string): number =>
      core.store.db
        .prepare<[string, string], number>("SELECT COUNT(*) FROM anomalies WHERE batch_id = ? AND rules_text LIKE '% ' || ? || ' %'")
        .pluck()
        .get(defaultBatch.batchId, name) ?? 0
    // An analyst decision on one rule hit counts as labelled fraud.
    const decided = core.store.db
      .prepare<[string], string>("SELECT id FROM anomalies WHERE batch_id = ? AND rules_json != '[]' ORDER BY n LIMIT 1")
      .pluck()
      .get(defaultBatch.batchId)
    expect(decided).toBeDefined()
    core.store.db.prepare("UPDATE anomalies SET status = 'CONFIRMED_FRAUD' WHERE id = ?").run(decided)

    const started = await call(core.handlers['rules.backtestLocal']({ rules: DEFAULT_RULE_SET.rules, batchIds: [defaultBatch.batchId] }))
    expect(started).toMatchObject({ status: 'running', processed: 0, result: null })
    const job = await settledBacktest(started.jobId)
    expect(job).toMatchObject({ status: 'done', processed: 4_000, total: 4_000, error: null })
    const result = job.result
    if (result === null) throw new Error('no result')
    expect(result.transactions).toBe(4_000)
    expect(result.sources).toEqual({ cachedAlerts: 0, files: [{ batchId: defaultBatch.batchId, name: 'default.csv', rows: 4_000 }] })
    let fired = 0
    for (const stats of result.rules.slice(0, -1)) {
      // The replay computes the same features as scoring did: every hit is a queue row with that rule.
      expect({ name: stats.name, hits: stats.hits }).toEqual({ name: stats.name, hits: queueHits(stats.name) })
      expect(stats.overlapAlerts).toBe(stats.hits)
      expect(stats.overlapCurrentRules).toBe(stats.hits)
      fired += stats.hits
    }
    expect(fired).toBeGreaterThan(0)
    const all = result.rules.at(-1)
    expect(all).toMatchObject({ name: '(all rules)', confirmedFraud: 1, recall: 1 })
    expect(result.labelled.fraud).toBe(1)
    expect(result.perDay.reduce((s, d) => s + d.draftHits, 0)).toBe(all?.hits)
    expect(result.perDay.every((d) => d.draftHits === d.currentHits)).toBe(true)
    expect(result.samples.length).toBeGreaterThan(0)
    expect(result.samples[0]?.transactionId).toMatch(new RegExp(`^${defaultBatch.batchId}:\\d+$`))
    expect(result.alertBudgetPerDay).toBe(200)
    expect(result.rulesHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('follows a synced set of this organisation: its rules and lists, checked and scored with', async () => {
    const trusted = defaultBatch.lines[0]?.split(',')[2] ?? ''
    expect(trusted).not.toBe('')
    core.store.state.set('cacheOrgId', ORG)
    createRuleSetCache(core.store.db).save(ORG, customSet(trusted), 1_000)

    const inForce = await call(core.handlers['rules.inForce']({}))
    expect(inForce).toMatchObject({ version: 7, syncedAt: 1_000 })
    expect(inForce.rules.map((r) => r.name)).toEqual([...DEFAULT_RULE_SET.rules.map((r) => r.name), 'DENIED_TERMINAL', 'WATCH_BIG'])
    expect(inForce.lists).toEqual([
      { name: 'deny terminals', kind: 'DENY', field: 'merchant_id', entryCount: 2 },
      { name: 'trusted', kind: 'ALLOW', field: 'account_id', entryCount: 1 },
    ])
    expect(await call(core.handlers['rules.check']({ expression: 'merchant_id in list("deny terminals")' }))).toEqual([])

    const { batchId, lines } = await scoreFile('custom.csv')
    expect(createRuleSetCache(core.store.db).batchVersion(batchId)).toBe(7)
    const rows = lines.map((l, i) => {
      const [, , account, merchant] = l.split(',')
      return { line: i + 2, account, merchant }
    })
    const queue = new Map(
      core.store.db
        .prepare<[string], { id: string; rules_json: string; severity: string }>('SELECT id, rules_json, severity FROM anomalies WHERE batch_id = ?')
        .all(batchId)
        .map((r) => [Number(r.id.split(':')[1]), r]),
    )
    const deniedRows = rows.filter((r) => denied.includes(r.merchant ?? '') && r.account !== trusted)
    expect(deniedRows.length).toBeGreaterThan(10)
    for (const r of deniedRows) {
      const queued = queue.get(r.line)
      expect(JSON.parse(queued?.rules_json ?? '[]')).toContain('DENIED_TERMINAL')
      expect(['HIGH', 'CRITICAL']).toContain(queued?.severity)
    }
    // The allow-listed account raises no alert at all; SHADOW hits never make one.
    const trustedRows = rows.filter((r) => r.account === trusted)
    expect(trustedRows.length).toBeGreaterThan(0)
    for (const r of trustedRows) expect(queue.has(r.line)).toBe(false)
    for (const q of queue.values()) expect(JSON.parse(q.rules_json)).not.toContain('WATCH_BIG')
  })

  it('backtests a draft against the set in force over the cached alerts and the files, and refuses a draft that does not check', async () => {
    const features = new Array<number>(FEATURE_NAMES.length).fill(0)
    features[FEATURE_NAMES.indexOf('acct_history_count')] = 10
    features[FEATURE_NAMES.indexOf('acct_amount_ratio')] = 5
    seedAnomalies(core.store, [
      // Newer than every file row: the newest sample.
      makeAnomaly(1, { features, status: 'FALSE_POSITIVE' }, { merchantId: denied[0] ?? '', timestamp: Date.UTC(2029, 0, 1) }),
      makeAnomaly(2, { features: null }),
      makeAnomaly(3, { features }, { merchantId: 'T9' }),
    ])
    const draft = [
      rule('DENIED_TERMINAL', 'merchant_id in list("deny terminals")'),
      rule('SPIKE', 'acct_amount_ratio >= 4 and acct_history_count >= 5', { mode: 'SHADOW' }),
    ]
    const started = await call(core.handlers['rules.backtestLocal']({ rules: draft }))
    const job = await settledBacktest(started.jobId)
    const result = job.result
    if (result === null) throw new Error(`no result: ${job.error}`)
    // Alerts without a stored feature row cannot be evaluated.
    expect(result.sources.cachedAlerts).toBe(2)
    expect(result.sources.files.map((f) => f.name)).toEqual(['default.csv', 'custom.csv'])
    expect(job.total).toBe(2 + 8_000)
    expect(result.transactions).toBe(2 + 8_000)
    const [denyStats, spike] = result.rules
    const fileDenied = defaultBatch.lines.filter((l) => denied.includes(l.split(',')[3] ?? '')).length * 2
    expect(fileDenied).toBeGreaterThan(20)
    expect(denyStats).toMatchObject({ hits: fileDenied + 1, falsePositive: 1 })
    // The set in force has the same rule: each of its hits is a current-rules hit too.
    expect(denyStats?.overlapCurrentRules).toBe(denyStats?.hits)
    expect(spike).toMatchObject({ mode: 'SHADOW' })
    expect(spike?.hits).toBeGreaterThanOrEqual(2)
    expect(result.samples[0]).toMatchObject({ transactionId: 'an_00001', rules: ['DENIED_TERMINAL', 'SPIKE'], decision: 'FALSE_POSITIVE' })

    const refused = await failure(core.handlers['rules.backtestLocal']({ rules: [rule('BAD', 'amount > "x"')] }))
    expect(refused).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('BAD: line 1') })
    expect(await failure(core.handlers['rules.backtestLocal']({ rules: draft, batchIds: ['local_nope'] }))).toMatchObject({ code: 'NOT_FOUND' })
    expect(await failure(core.handlers['rules.backtestLocalJob']({ jobId: 'nope' }))).toMatchObject({ code: 'NOT_FOUND' })
  })

  it('uses the built-in set when the synced one belongs to another organisation', async () => {
    core.store.state.set('cacheOrgId', 'org_other')
    expect(await call(core.handlers['rules.inForce']({}))).toMatchObject({ version: 0, syncedAt: null })
    core.store.state.set('cacheOrgId', ORG)
    expect(await call(core.handlers['rules.inForce']({}))).toMatchObject({ version: 7 })
  })
})

describe('syncRulesInForce', () => {
  const good = customSet('C1')
  const client = (answer: () => Promise<unknown>) => ({ call: answer })

  it('stores a set that compiles, keeps the last good copy otherwise, and leaves a server without rules alone', async () => {
    const cache = createRuleSetCache(core.store.db)
    expect(
      await syncRulesInForce(
        client(async () => ({ ...good, version: 8 })),
        cache,
        ORG,
        2_000,
      ),
    ).toEqual({ kind: 'synced', version: 8 })
    expect(cache.stamp()).toEqual({ orgId: ORG, version: 8, syncedAt: 2_000 })

    const notFound = client(async () => {
      throw new AppError('NOT_FOUND', 'No procedure found on path "rules.inForce"')
    })
    expect(await syncRulesInForce(notFound, cache, ORG, 3_000)).toEqual({ kind: 'not-offered' })
    const offline = client(async () => {
      throw new AppError('UNAVAILABLE', 'Server unreachable')
    })
    expect(await syncRulesInForce(offline, cache, ORG, 3_000)).toMatchObject({ kind: 'kept', reason: expect.stringContaining('unreachable') })
    expect(
      await syncRulesInForce(
        client(async () => ({ version: 'x' })),
        cache,
        ORG,
        3_000,
      ),
    ).toMatchObject({ kind: 'kept' })
    const newerLanguage = { ...good, version: 9, rules: [rule('FUTURE', 'amount ~ 3')] }
    expect(
      await syncRulesInForce(
        client(async () => newerLanguage),
        cache,
        ORG,
        3_000,
      ),
    ).toMatchObject({ kind: 'kept', reason: expect.stringContaining('does not compile') })
    expect(cache.stamp()).toEqual({ orgId: ORG, version: 8, syncedAt: 2_000 })
    expect(cache.read()?.lists.map((l) => [l.name, l.entries.length])).toEqual([
      ['deny terminals', 2],
      ['trusted', 1],
    ])
  })
})
