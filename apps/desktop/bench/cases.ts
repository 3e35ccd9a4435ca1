import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { severityRank, type Severity, type TCaseEvent, type TCaseRow, type TEntityTransaction } from '@anomalyze/shared'
import { createCore } from '../src/core/create-core.ts'
import { seedFixtureAnomalies } from '../src/core/store/seed-fixtures.ts'

/**
 * Cases from the cache (issue 20): `alerts` fixture alerts in `cases` cases (one of
 * them with 50 alerts), a team of ten where this analyst holds a tenth of the cases,
 * three timeline lines a case, and 2,000 cached transactions for the big case's
 * account. Times the core's handlers as the page calls them, signed out (so the
 * entity view reads its cache, as offline), beside the plain queue head and one
 * alert's detail in the same cache.
 */
const ME = { id: 'user_bench', name: 'Bench Analyst' }
const TEAM = Array.from({ length: 9 }, (_, i) => ({ id: `user_team_${i}`, name: `Teammate ${i}` }))
const BIG_CASE = 'case_big'
const BIG_ALERTS = 50
const ENTITY_TRANSACTIONS = 2_000
const DAY = 86_400_000

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

async function timeAsync(fn: () => Promise<unknown>, runs = 9): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now()
    await fn()
    out.push(performance.now() - t)
  }
  return out
}

/** An answer of the handler map; an error answer stops the bench. */
function ok<T>(answer: { data?: T; error?: { message: string } }): T {
  if (answer.error !== undefined || answer.data === undefined) throw new Error(answer.error?.message ?? 'no data')
  return answer.data
}

export async function benchCases(alerts: number, caseCount: number): Promise<Record<string, number>> {
  const results: Record<string, number> = {}
  const dir = mkdtempSync(join(tmpdir(), 'anomalyze-bench-cases-'))
  const core = createCore({ dataDir: dir })
  try {
    const { store } = core
    const seedStart = performance.now()
    seedFixtureAnomalies(store, { count: alerts })
    const perCase = Math.max(1, Math.floor(alerts / caseCount))
    const { db } = store
    // Alerts into cases of `perCase` each, the first 50 into the big case.
    // An integer literal: a bound JS number is a REAL in SQLite, and the division would not truncate.
    db.exec(`UPDATE anomalies SET case_id = 'case_' || ((n - 1) / ${perCase}) WHERE batch_id IS NULL`)
    db.prepare('UPDATE anomalies SET case_id = ? WHERE n <= ?').run(BIG_CASE, BIG_ALERTS)
    const stats = db
      .prepare<[], { case_id: string; alerts: number; open: number; worst: number; first: number; account: string }>(
        `SELECT case_id, COUNT(*) AS alerts, SUM(status IN ('OPEN', 'NEEDS_REVIEW')) AS open, max(severity_rank) AS worst, min(ts) AS first, min(account_id) AS account
         FROM anomalies WHERE case_id IS NOT NULL GROUP BY case_id`,
      )
      .all()
    const severities: Severity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']
    const now = Date.now()
    const statuses: Array<TCaseRow['status']> = ['OPEN', 'OPEN', 'OPEN', 'IN_REVIEW', 'ESCALATED', 'CLOSED_FRAUD', 'CLOSED_LEGITIMATE']
    for (let i = 0; i < stats.length; i += 1_000) {
      const cases: TCaseRow[] = []
      const events: TCaseEvent[] = []
      for (const [j, s] of stats.slice(i, i + 1_000).entries()) {
        const k = i + j
        const priority = severities.find((sev) => severityRank(sev) === s.worst) ?? 'LOW'
        const status = s.case_id === BIG_CASE ? 'OPEN' : (statuses[k % statuses.length] ?? 'OPEN')
        const assignee = s.case_id === BIG_CASE || k % 10 === 0 ? ME : k % 10 < 7 ? (TEAM[k % 9] ?? null) : null
        cases.push({
          id: s.case_id,
          entityType: 'ACCOUNT',
          entityId: s.account,
          status,
          priority,
          assignee,
          dueAt: now + ((k % 96) - 12) * 3_600_000,
          slaMinutes: 24 * 60,
          breachedAt: null,
          mergedIntoId: null,
          alertCount: s.alerts,
          openAlertCount: s.open,
          openedBy: null,
          closedAt: status.startsWith('CLOSED') ? now : null,
          closedBy: status.startsWith('CLOSED') ? assignee : null,
          createdAt: s.first,
          updatedAt: now,
        })
        for (const [n, kind] of (['opened', 'assigned', 'comment'] as const).entries()) {
          events.push({
            id: `${s.case_id}:${n}`,
            caseId: s.case_id,
            kind,
            actor: n === 0 ? null : ME,
            actorName: n === 0 ? 'Anomalyze' : ME.name,
            at: s.first + n * 60_000,
            data: n === 2 ? { text: 'Looked at the merchant history.' } : null,
            mutationId: null,
          })
        }
      }
      store.applyCasePage({ cases, events, nextCursor: null, hasMore: true })
    }
    const bigAccount = stats.find((s) => s.case_id === BIG_CASE)?.account ?? 'C0'
    const transactions: TEntityTransaction[] = Array.from({ length: ENTITY_TRANSACTIONS }, (_, i) => ({
      id: `etx_${i}`,
      txId: `etx_${i}`,
      timestamp: now - (i * DAY) / 20,
      amount: 100 + (i % 500),
      currency: 'INR',
      accountId: bigAccount,
      merchantId: `M${i % 40}`,
      category: 'grocery',
      country: i % 7 === 0 ? 'GB' : 'IN',
      channel: 'ecommerce',
      score: i % 25 === 0 ? 0.8 : null,
      severity: i % 25 === 0 ? 'HIGH' : null,
      anomalyId: i % 25 === 0 ? `fx_${i}` : null,
      status: i % 25 === 0 ? 'OPEN' : null,
      label: null,
    }))
    store.entities.saveTransactions({ type: 'ACCOUNT', id: bigAccount }, transactions, now)
    // Who "mine" is: a signed-in person with no token, so nothing reaches for a server.
    store.state.set('user', JSON.stringify({ id: ME.id, email: null, name: ME.name, mode: 'local' }))
    results[`cases: seed ${alerts} alerts into ${stats.length} cases (ms)`] = performance.now() - seedStart

    const h = core.handlers
    const mine = ok(await h['cases.list']({ queue: 'mine', limit: 200 }))
    results[`cases.list mine, first 200 of ${mine.total} (ms, median)`] = median(
      await timeAsync(async () => ok(await h['cases.list']({ queue: 'mine', limit: 200 }))),
    )
    results['cases.list all open, first 200 (ms, median)'] = median(await timeAsync(async () => ok(await h['cases.list']({ queue: 'all', limit: 200 }))))
    results['  baseline: queue.head open by severity, 100 rows (ms, median)'] = median(
      await timeAsync(async () => ok(await h['queue.head']({ filters: { statuses: ['OPEN', 'NEEDS_REVIEW'] }, sort: 'severity', size: 100 }))),
    )
    const detail = ok(await h['cases.get']({ id: BIG_CASE }))
    if (detail.alerts.length !== BIG_ALERTS || detail.cachedTransactions.count !== ENTITY_TRANSACTIONS) throw new Error('the big case is not as seeded')
    const openCase = async () => {
      ok(await h['cases.get']({ id: BIG_CASE }))
      let cursor: string | null = null
      let read = 0
      do {
        const page: { items: unknown[]; nextCursor: string | null; offline: boolean } = ok(
          await h['entity.transactions']({ type: 'ACCOUNT', id: bigAccount, limit: 1_000, cursor }),
        )
        if (!page.offline) throw new Error('the bench expects the cache, not a server')
        read += page.items.length
        cursor = page.nextCursor
      } while (cursor !== null)
      if (read !== ENTITY_TRANSACTIONS) throw new Error(`read ${read} cached transactions`)
    }
    results[`cases.get, ${BIG_ALERTS} alerts (ms, median)`] = median(await timeAsync(async () => ok(await h['cases.get']({ id: BIG_CASE }))))
    results[`entity.transactions, ${ENTITY_TRANSACTIONS} cached, offline (ms, median)`] = median(
      await timeAsync(async () => {
        let cursor: string | null = null
        do {
          const page: { nextCursor: string | null } = ok(await h['entity.transactions']({ type: 'ACCOUNT', id: bigAccount, limit: 1_000, cursor }))
          cursor = page.nextCursor
        } while (cursor !== null)
      }),
    )
    results[`open a case: cases.get + ${ENTITY_TRANSACTIONS} transactions from the cache (ms, median)`] = median(await timeAsync(openCase))
    results['  baseline: anomaly.get one alert (ms, median)'] = median(await timeAsync(async () => ok(await h['anomaly.get']({ id: 'fx_0000100' }))))
  } finally {
    await core.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return results
}
