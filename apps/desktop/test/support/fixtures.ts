import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Severity, TSyncAnomaly } from '@anomalyze/shared'
import { openLocalStore, type LocalStore } from '../../src/core/store/local-store.ts'

/** A real SQLite file in a fresh temp folder; `cleanup` closes and deletes it. */
export function tempStore(): { store: LocalStore; file: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'anomalyze-desktop-test-'))
  const file = join(dir, 'cache.db')
  const store = openLocalStore(file)
  return {
    store,
    file,
    dir,
    cleanup: () => {
      if (store.db.open) store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const DAY = 86_400_000
const SEVERITIES: Severity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']

/** A synced anomaly with predictable fields derived from `i`, overridable per test. */
export function makeAnomaly(i: number, overrides: Partial<TSyncAnomaly> = {}, tx: Partial<TSyncAnomaly['transaction']> = {}): TSyncAnomaly {
  return {
    id: `an_${String(i).padStart(5, '0')}`,
    transaction: {
      id: `tr_${i}`,
      txId: `tx_${String(i).padStart(6, '0')}`,
      timestamp: Date.UTC(2026, 0, 1) + (i % 10) * DAY + i * 1000,
      amount: 10 + i,
      currency: 'INR',
      accountId: `C${i % 3}`,
      merchantId: `T${i % 5}`,
      category: 'grocery',
      country: 'IN',
      channel: 'ecommerce',
      ...tx,
    },
    score: ((i * 37) % 100) / 100,
    severity: SEVERITIES[i % 4] ?? 'LOW',
    ruleViolations: i % 2 === 0 ? ['AMOUNT_SPIKE'] : ['VELOCITY_HIGH', 'RAPID_REPEAT'],
    explanation: `Anomaly number ${i}`,
    explanationData: null,
    modelVersion: '1.0.0',
    status: 'OPEN',
    isFalsePositive: false,
    latestDecision: null,
    createdAt: 1_000 + i,
    updatedAt: 1_000 + i,
    ...overrides,
  }
}

export function seedAnomalies(store: LocalStore, anomalies: TSyncAnomaly[]): void {
  store.applyPage({ anomalies, nextCursor: null, hasMore: false, total: anomalies.length, activeModel: null }, 0)
}
