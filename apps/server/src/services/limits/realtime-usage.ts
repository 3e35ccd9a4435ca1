import type { Db } from '../../db/prisma.ts'
import { sqlPoolOf } from '../../db/prisma.ts'
import { periodStartOf } from './metering-period.ts'
import { meterUsage } from './record-usage.ts'

/** How long real-time usage may wait in memory before it is written. */
const FLUSH_AFTER_MS = 1_000

interface Pending {
  orgId: string
  apiKeyId: string | null
  periodStartMs: number
  requests: number
  transactions: number
}

interface Meter {
  pending: Map<string, Pending>
  timer: NodeJS.Timeout | null
  flushing: Promise<void>
}

const meters = new WeakMap<Db, Meter>()

/**
 * Real-time API calls are metered in memory and written once a second per key and
 * month, not by each call. Every call updating the one ApiKeyUsage row of its key
 * serialised all of a customer's calls on that row's lock (measured: single calls
 * queued for seconds at 100 per second). Each server instance adds its own counts,
 * so the sum stays right behind a load balancer. The price, stated: a crash loses
 * at most the last second of metering (never data), and another instance's quota
 * check sees this one's calls up to a second late.
 */
export function meterRealtimeUsage(db: Db, usage: { orgId: string; apiKeyId: string | null; transactions: number }, now = new Date()): void {
  const meter = meterOf(db)
  const periodStartMs = periodStartOf(now).getTime()
  const key = pendingKey(usage, periodStartMs)
  const entry = meter.pending.get(key) ?? { orgId: usage.orgId, apiKeyId: usage.apiKeyId, periodStartMs, requests: 0, transactions: 0 }
  entry.requests += 1
  entry.transactions += usage.transactions
  meter.pending.set(key, entry)
  meter.timer ??= setTimeout(() => void flushRealtimeUsage(db).catch(() => {}), FLUSH_AFTER_MS).unref()
}

/** Transactions this process has metered for the user in `now`'s month but not yet written. */
export function unwrittenTransactions(db: Db, orgId: string, now = new Date()): number {
  const periodStartMs = periodStartOf(now).getTime()
  let total = 0
  for (const entry of meters.get(db)?.pending.values() ?? []) {
    if (entry.orgId === orgId && entry.periodStartMs === periodStartMs) total += entry.transactions
  }
  return total
}

/**
 * Writes what is pending (at shutdown, and in tests before reading ApiKeyUsage).
 * A failed write puts the counts back, to be retried by the next flush.
 */
export async function flushRealtimeUsage(db: Db): Promise<void> {
  const meter = meters.get(db)
  if (!meter) return
  if (meter.timer) clearTimeout(meter.timer)
  meter.timer = null
  const batch = [...meter.pending.values()]
  meter.pending.clear()
  const write = async (): Promise<void> => {
    const sql = sqlPoolOf(db)
    for (const [i, entry] of batch.entries()) {
      try {
        await meterUsage(sql, entry, new Date(entry.periodStartMs))
      } catch (error) {
        for (const unwritten of batch.slice(i)) {
          meterRealtimeUsageBack(meter, unwritten)
        }
        meter.timer ??= setTimeout(() => void flushRealtimeUsage(db).catch(() => {}), FLUSH_AFTER_MS).unref()
        throw error
      }
    }
  }
  // Flushes run one after another, so a shutdown flush waits for a timer's flush.
  meter.flushing = meter.flushing.then(write, write)
  await meter.flushing
}

function meterRealtimeUsageBack(meter: Meter, entry: Pending): void {
  const key = pendingKey(entry, entry.periodStartMs)
  const current = meter.pending.get(key)
  if (current) {
    current.requests += entry.requests
    current.transactions += entry.transactions
  } else {
    meter.pending.set(key, { ...entry })
  }
}

/** One pending entry per key and month; member sessions' use per organisation and month. */
function pendingKey(usage: { orgId: string; apiKeyId: string | null }, periodStartMs: number): string {
  return `${usage.apiKeyId ?? `members:${usage.orgId}`}|${periodStartMs}`
}

function meterOf(db: Db): Meter {
  let meter = meters.get(db)
  if (!meter) {
    meter = { pending: new Map(), timer: null, flushing: Promise.resolve() }
    meters.set(db, meter)
  }
  return meter
}
