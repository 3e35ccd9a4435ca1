import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RuleDefinition, TTransaction } from '@anomalyze/shared'
import { DEFAULT_RULE_SET, generateTransactions } from '@anomalyze/shared/engine'
import { loadDefaultModel } from '@anomalyze/shared/node'
import { startApp, type RunningApp, loadEnv, LOCAL_USER_ID, testLogger, createTestDatabase, type TestDatabase } from '@anomalyze/server/testing'
import type { CoreArgs, CoreData, CoreMethod } from '../src/contract/core-methods.ts'
import type { FieldMapping } from '../src/contract/scoring.ts'
import { createCore, type Core } from '../src/core/create-core.ts'
import { createRulesInForce } from '../src/core/rules/rules-in-force.ts'
import { scoreCsvFile, type RuleRow } from '../src/core/scoring/score-csv-file.ts'
import { createServerClient, type ServerClient } from '../src/core/sync/server-client.ts'

/**
 * Device and server agree where they should. An admin publishes a rule set with a deny
 * list used in a rule, a SHADOW rule, a floor and a boost, and an allow list; the same
 * transactions are ingested on the server (ingest API, a fresh organisation: no history,
 * no confirmed frauds) and scored from a CSV on a console that synced the set, with the
 * same model (the shipped default on both sides). Per transaction the two must agree on
 * the ACTIVE and SHADOW rules that fired, the suppression, whether it is an alert, and
 * each alert's score (to 1e-6) and severity. Where they differ by design (the server's
 * history across files and its analysts' confirmed frauds) is in the README.
 */

let database: TestDatabase
let app: RunningApp
let root: string
let admin: ServerClient
/** Per txId of an alert: its score and severity, on each side. */
const serverScores = new Map<string, { score: number; severity: string }>()
const desktopScores = new Map<string, { score: number; severity: string }>()
const cores: Core[] = []

const HEADER = ['txId', 'timestamp', 'accountId', 'merchantId', 'amount', 'currency', 'category', 'country', 'channel']
const MAPPING: FieldMapping = { txId: 0, timestamp: 1, accountId: 2, merchantId: 3, amount: 4, currency: 5, category: 6, country: 7, channel: 8 }

/** The fixed transactions: generated, amounts to cents (as a CSV holds them), in time order. */
const transactions: TTransaction[] = [...generateTransactions({ seed: 21, customers: 50, days: 25, txIdPrefix: 'rp' })]
  .slice(0, 3_000)
  .map(({ transaction: t }) => ({ ...t, amount: Number(t.amount.toFixed(2)) }))

// The four busiest terminals are denied. Allow-listed: one customer of theirs (its
// denied-terminal alerts are suppressed, the others' are not) and the busiest customer
// elsewhere (whatever the model or the built-in rules raise on it is suppressed).
const countBy = (key: (t: TTransaction) => string, rows: readonly TTransaction[]): [string, number][] => {
  const counts = new Map<string, number>()
  for (const t of rows) counts.set(key(t), (counts.get(key(t)) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
}
const deniedTerminals = countBy((t) => t.merchantId, transactions)
  .slice(0, 4)
  .map(([id]) => id)
const deniedCustomers = [...new Set(transactions.filter((t) => deniedTerminals.includes(t.merchantId)).map((t) => t.accountId))].sort()
const busiestElsewhere = countBy((t) => t.accountId, transactions).find(([id]) => !deniedCustomers.includes(id))?.[0]
const trustedAccounts = [deniedCustomers[0], busiestElsewhere].filter((id): id is string => id !== undefined)

const rule = (name: string, expression: string, over: Partial<RuleDefinition> = {}): RuleDefinition => ({
  name,
  expression,
  description: `${name} (parity test)`,
  mode: 'ACTIVE',
  severityFloor: null,
  scoreBoost: null,
  ...over,
})
const CUSTOM_RULES = [
  rule('DENIED_TERMINAL', 'merchant_id in list("deny terminals")', { severityFloor: 'HIGH' }),
  rule('BIG_ECOMMERCE', 'channel == "ecommerce" and amount > 150', { scoreBoost: 0.1 }),
  rule('WATCH_NIGHT', 'is_night == 1 and amount > 50', { mode: 'SHADOW' }),
]

function csvOf(rows: readonly TTransaction[]): string {
  const lines = rows.map((t) =>
    [
      t.txId,
      new Date(t.timestamp).toISOString(),
      t.accountId,
      t.merchantId,
      t.amount.toFixed(2),
      t.currency,
      t.category ?? '',
      t.country ?? '',
      t.channel ?? '',
    ].join(','),
  )
  return `${HEADER.join(',')}\n${lines.join('\n')}\n`
}

async function call<M extends CoreMethod>(core: Core, method: M, args: CoreArgs<M>): Promise<CoreData<M>> {
  const answer = await core.handlers[method](args)
  if (answer.error !== undefined) throw new Error(`${method}: ${answer.error.code} ${answer.error.message}`)
  return answer.data as CoreData<M>
}

function openConsole(name: string): Core {
  const core = createCore({ dataDir: join(root, name) })
  cores.push(core)
  return core
}

/** What one side decided for one transaction. */
interface Verdict {
  alert: boolean
  rules: string[]
  shadow: string[]
  suppressed: string | null
}

beforeAll(async () => {
  database = await createTestDatabase()
  root = mkdtempSync(join(tmpdir(), 'anomalyze-rules-parity-'))
  app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: join(root, 'server'), PORT: '0' }), testLogger)
  if (app.localToken === null) throw new Error('the server did not start in local mode')
  admin = createServerClient({ serverUrl: app.url, token: app.localToken })
  writeFileSync(join(root, 'transactions.csv'), csvOf(transactions))
})

afterAll(async () => {
  for (const core of cores) await core.close()
  await app?.stop()
  await database?.drop()
  if (root !== undefined) rmSync(root, { recursive: true, force: true })
})

describe('rules on the server and on the console', () => {
  it('a console that never synced evaluates the built-in set (version 0)', async () => {
    const fresh = openConsole('never-synced')
    expect(await call(fresh, 'rules.inForce', {})).toEqual({ version: 0, rules: DEFAULT_RULE_SET.rules, lists: [], syncedAt: null })
  })

  it('evaluates a published set with its lists the same way on both sides, transaction by transaction', async () => {
    // --- the server: lists, drafts, publish (admin), then ingestion through the ingest API ---
    const deny = (await admin.call('mutation', 'lists.create', { name: 'deny terminals', kind: 'DENY', field: 'merchant_id' })) as { id: string }
    await admin.call('mutation', 'lists.addEntries', { listId: deny.id, entries: deniedTerminals.map((value) => ({ value, reason: 'skimmer seen' })) })
    const allow = (await admin.call('mutation', 'lists.create', { name: 'trusted accounts', kind: 'ALLOW', field: 'account_id' })) as { id: string }
    await admin.call('mutation', 'lists.addEntries', { listId: allow.id, entries: trustedAccounts.map((value) => ({ value, reason: 'payroll account' })) })
    // The Rules view reads the overview first, which gives a new organisation the built-in rules as drafts.
    await admin.call('query', 'rules.list', undefined)
    for (const r of CUSTOM_RULES) await admin.call('mutation', 'rules.saveDraft', { rule: r })
    await admin.call('mutation', 'rules.publish', { comment: 'parity test', confirmed: true })
    const published = (await admin.call('query', 'rules.inForce', undefined)) as { version: number; rules: RuleDefinition[] }
    expect(published.version).toBe(1)
    expect(published.rules.map((r) => r.name)).toEqual([...DEFAULT_RULE_SET.rules.map((r) => r.name), ...CUSTOM_RULES.map((r) => r.name)])

    for (let i = 0; i < transactions.length; i += 1_000) {
      const answer = (await admin.call('mutation', 'ingest.transactions', { transactions: transactions.slice(i, i + 1_000) })) as { rejected: number }
      expect(answer.rejected).toBe(0)
    }
    const server = await serverVerdicts()

    // --- the console: sign in, sync (the set and its lists), score the same CSV ---
    const analyst = openConsole('analyst')
    await call(analyst, 'session.signIn', { serverUrl: app.url, token: app.localToken ?? '' })
    expect(await call(analyst, 'sync.now', {})).toMatchObject({ error: null })
    const inForce = await call(analyst, 'rules.inForce', {})
    expect(inForce).toMatchObject({ version: 1, syncedAt: expect.any(Number) })
    expect(inForce.rules).toEqual(published.rules)
    expect(inForce.lists).toEqual([
      { name: 'deny terminals', kind: 'DENY', field: 'merchant_id', entryCount: 4 },
      { name: 'trusted accounts', kind: 'ALLOW', field: 'account_id', entryCount: 2 },
    ])
    const desktop = await desktopVerdicts(analyst)

    // --- per transaction: the same rules, suppression and alert decision ---
    expect(desktop.size).toBe(transactions.length)
    const differences: string[] = []
    for (const t of transactions) {
      const s = server.get(t.txId) ?? { alert: false, rules: [], shadow: [], suppressed: null }
      const d = desktop.get(t.txId)
      if (JSON.stringify(s) !== JSON.stringify(d)) differences.push(`${t.txId}: server ${JSON.stringify(s)} desktop ${JSON.stringify(d)}`)
    }
    expect(differences.slice(0, 10)).toEqual([])
    // The same scores and severities: features, trees and the rules' boosts agree.
    expect([...desktopScores.keys()].sort()).toEqual([...serverScores.keys()].sort())
    const scoreDifferences = [...serverScores].flatMap(([txId, s]) => {
      const d = desktopScores.get(txId)
      return d !== undefined && Math.abs(d.score - s.score) <= 1e-6 && d.severity === s.severity
        ? []
        : [`${txId}: server ${JSON.stringify(s)} desktop ${JSON.stringify(d)}`]
    })
    expect(scoreDifferences.slice(0, 10)).toEqual([])
    expect(serverScores.size).toBeGreaterThan(20)
    // The comparison covered every kind of outcome.
    const all = [...desktop.values()]
    expect(all.filter((v) => v.rules.includes('DENIED_TERMINAL') && v.alert).length).toBeGreaterThan(0)
    expect(all.filter((v) => v.rules.includes('BIG_ECOMMERCE')).length).toBeGreaterThan(0)
    expect(all.filter((v) => v.shadow.includes('WATCH_NIGHT')).length).toBeGreaterThan(0)
    expect(deniedCustomers.length).toBeGreaterThan(1)
    expect(all.filter((v) => v.suppressed !== null && v.rules.includes('DENIED_TERMINAL')).length).toBeGreaterThan(0)
    expect(all.filter((v) => v.suppressed !== null && !v.rules.includes('DENIED_TERMINAL')).length).toBeGreaterThan(0)
    expect(all.filter((v) => v.alert && v.rules.length === 0).length).toBeGreaterThan(0)
    // Every server alert records the version that evaluated it.
    const versions = await app.db.anomaly.groupBy({ by: ['ruleSetVersion'], where: { orgId: LOCAL_USER_ID }, _count: true })
    expect(versions.map((v) => v.ruleSetVersion)).toEqual([1])
  })
})

/** Per txId: Anomaly rows (alerts), SuppressedAlert rows and RuleHit rows of the organisation. */
async function serverVerdicts(): Promise<Map<string, Verdict>> {
  const txIds = new Map(
    (await app.db.transaction.findMany({ where: { orgId: LOCAL_USER_ID }, select: { id: true, txId: true } })).map((t) => [t.id, t.txId] as const),
  )
  const verdicts = new Map<string, Verdict>()
  const of = (transactionId: string): Verdict => {
    const txId = txIds.get(transactionId)
    if (txId === undefined) throw new Error(`no transaction ${transactionId}`)
    let v = verdicts.get(txId)
    if (v === undefined) {
      v = { alert: false, rules: [], shadow: [], suppressed: null }
      verdicts.set(txId, v)
    }
    return v
  }
  const order = new Map([...DEFAULT_RULE_SET.rules, ...CUSTOM_RULES].map((r, i) => [r.name, i]))
  const byOrder = (a: string, b: string): number => (order.get(a) ?? 0) - (order.get(b) ?? 0)
  for (const hit of await app.db.ruleHit.findMany({ where: { orgId: LOCAL_USER_ID } })) {
    const v = of(hit.transactionId)
    if (hit.mode === 'SHADOW') v.shadow.push(hit.ruleName)
    else v.rules.push(hit.ruleName)
  }
  for (const v of verdicts.values()) {
    v.rules.sort(byOrder)
    v.shadow.sort(byOrder)
  }
  const anomalies = await app.db.anomaly.findMany({
    where: { orgId: LOCAL_USER_ID },
    select: { transactionId: true, ruleViolations: true, score: true, severity: true },
  })
  for (const a of anomalies) {
    const v = of(a.transactionId)
    v.alert = true
    serverScores.set(txIds.get(a.transactionId) ?? '', { score: a.score, severity: a.severity })
    expect(a.ruleViolations).toEqual(v.rules)
  }
  for (const s of await app.db.suppressedAlert.findMany({ where: { orgId: LOCAL_USER_ID } })) {
    const v = of(s.transactionId)
    v.suppressed = `${s.listName}:${s.field}=${s.value}`
    expect(s.ruleViolations).toEqual(v.rules)
  }
  return verdicts
}

/**
 * Per txId on the console: the file scored through the core (the queue says which rows
 * are alerts and their rules), and the same file through the console's scorer with the
 * synced set for what the queue does not keep (rules on quiet rows, suppressions).
 */
async function desktopVerdicts(analyst: Core): Promise<Map<string, Verdict>> {
  const path = join(root, 'transactions.csv')
  analyst.allowPath(path, 'read')
  const started = await call(analyst, 'scoring.start', { source: { path }, mapping: MAPPING })
  const job = await analyst.scoring.settled(started.jobId)
  expect(job).toMatchObject({ state: 'done', scored: transactions.length, badRowCount: 0 })
  const queue = new Map(
    analyst.store.db
      .prepare<[string], { tx_id: string; rules_json: string; score: number; severity: string }>(
        'SELECT tx_id, rules_json, score, severity FROM anomalies WHERE batch_id = ?',
      )
      .all(job.batchId)
      .map((r) => {
        desktopScores.set(r.tx_id, { score: r.score, severity: r.severity })
        return [r.tx_id, JSON.parse(r.rules_json) as string[]]
      }),
  )

  const rules = createRulesInForce(analyst.store).current()
  expect(rules.version).toBe(1)
  const ruleRows = new Map<string, RuleRow>()
  const loaded = await loadDefaultModel()
  try {
    await scoreCsvFile({
      path,
      headers: HEADER,
      mapping: MAPPING,
      model: loaded,
      modelVersion: 'parity',
      batchId: 'parity',
      ruleSet: rules.compiled,
      lists: rules.lists,
      onChunk: (chunk) => {
        for (const r of chunk.ruleRows) ruleRows.set(r.txId, r)
      },
      onProgress: () => undefined,
      signal: new AbortController().signal,
    })
  } finally {
    await loaded.scorer.close()
  }

  const verdicts = new Map<string, Verdict>()
  for (const t of transactions) {
    const r = ruleRows.get(t.txId)
    const queued = queue.get(t.txId)
    // The queue and the scorer agree on the rules of every alert.
    if (queued !== undefined) expect(queued).toEqual(r?.rules ?? [])
    const s = r?.suppressed ?? null
    verdicts.set(t.txId, {
      alert: queued !== undefined,
      rules: r?.rules ?? [],
      shadow: r?.shadowRules ?? [],
      suppressed: s === null ? null : `${s.list}:${s.field}=${s.value}`,
    })
  }
  return verdicts
}
