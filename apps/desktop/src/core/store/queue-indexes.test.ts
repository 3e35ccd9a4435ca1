import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeAnomaly, seedAnomalies, tempStore } from '../../../test/support/fixtures.ts'
import { openLocalStore, type LocalStore } from './local-store.ts'
import { SCHEMA_VERSION } from './migrations.ts'
import { buildQueueWhere, orderByFor } from './queue-filters.ts'
import { QUEUE_SORTS } from '../../contract/queue.ts'

describe('queue indexes and counts on a real SQLite cache', () => {
  let store: LocalStore
  let file: string
  let cleanup: () => void
  beforeEach(() => {
    ;({ store, file, cleanup } = tempStore())
    // Many equal scores: the order between them is the key n (the tie-break).
    seedAnomalies(
      store,
      Array.from({ length: 40 }, (_, i) => makeAnomaly(i, { score: 0.5, severity: 'HIGH' })),
    )
  })
  afterEach(() => cleanup())

  it('answers every sort of the open queue from an index, without sorting the keys', () => {
    for (const sort of QUEUE_SORTS) {
      const where = buildQueueWhere({ statuses: ['OPEN', 'NEEDS_REVIEW'] })
      const plan = store.db
        .prepare(`EXPLAIN QUERY PLAN SELECT n FROM anomalies WHERE ${where.sql} ORDER BY ${orderByFor(sort)}`)
        .all(...where.params)
        .map((row) => (row as { detail: string }).detail)
        .join('\n')
      expect(plan, sort).toMatch(/COVERING INDEX anomalies_by_/)
      expect(plan, sort).not.toMatch(/TEMP B-TREE/)
    }
  })

  it('breaks ties by key, also after a label changed some statuses', () => {
    store.outbox.record({ anomalyIds: ['an_00003', 'an_00010'], label: 'NEEDS_REVIEW' }, 'me', 5)
    const keys = store.queue.snapshot({ filters: { statuses: ['OPEN', 'NEEDS_REVIEW'] }, sort: 'score' }).keys
    expect(keys).toHaveLength(40)
    expect(keys).toEqual([...keys].sort((a, b) => a - b))
  })

  it('counts server rows, following new pages and rows written past the store', () => {
    expect(store.countServerAnomalies()).toBe(40)
    seedAnomalies(store, [makeAnomaly(100), makeAnomaly(101)])
    expect(store.countServerAnomalies()).toBe(42)
    // An upsert of known ids adds nothing.
    seedAnomalies(store, [makeAnomaly(100)])
    expect(store.countServerAnomalies()).toBe(42)
    // Another connection (the bench, a test) writing to the same file.
    const other = new Database(file)
    other.prepare('UPDATE anomalies SET batch_id = ? WHERE id = ?').run('b1', 'an_00001')
    other.close()
    expect(store.countServerAnomalies()).toBe(41)
  })

  it('upgrades a cache whose first sync died mid-load (old index definitions saved to be put back)', () => {
    store.bulkLoad.begin()
    // Back to schema 3, before the index rebuild: the columns of later migrations go too.
    for (const [table, column] of [
      ['anomalies', 'decision_mutation_id'],
      ['anomalies', 'decided_by_id'],
      ['outbox', 'based_on'],
      ['outbox', 'decided_by'],
      ['outbox', 'decided_by_id'],
      ['outbox', 'standing_json'],
      ['anomalies', 'case_id'],
      ['local_batches', 'mapping_json'],
      ['local_batches', 'domain_json'],
      ['local_batches', 'file_model_json'],
      ['local_batches', 'kept_upload'],
    ] as const) {
      store.db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`)
    }
    for (const table of ['cases', 'case_events', 'case_outbox', 'case_conflicts', 'entity_profiles', 'entity_transactions'])
      store.db.exec(`DROP TABLE ${table}`)
    store.db.pragma('user_version = 3')
    store.close()
    const reopened = openLocalStore(file)
    try {
      expect(reopened.bulkLoad.active()).toBe(false)
      expect(reopened.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
      const names = reopened.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'anomalies_by_%' ORDER BY name").pluck().all()
      expect(names).toEqual(['anomalies_by_account', 'anomalies_by_case', 'anomalies_by_score', 'anomalies_by_severity', 'anomalies_by_time'])
      expect(reopened.queue.snapshot({ filters: { text: 'number' }, sort: 'severity' }).total).toBe(40)
    } finally {
      reopened.close()
    }
  })
})
