import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeAnomaly, seedAnomalies, tempStore } from '../../../test/support/fixtures.ts'
import type { LocalStore } from './local-store.ts'

describe('decisions outbox', () => {
  let store: LocalStore
  let cleanup: () => void
  beforeEach(() => {
    ;({ store, cleanup } = tempStore())
    seedAnomalies(store, [
      makeAnomaly(1),
      makeAnomaly(2),
      makeAnomaly(3, { status: 'NEEDS_REVIEW', latestDecision: { label: 'NEEDS_REVIEW', note: 'look', decidedBy: 'u2', decidedAt: 5 } }),
    ])
  })
  afterEach(() => cleanup())

  it('applies a bulk decision at once and queues one uuid mutation per anomaly', () => {
    const result = store.outbox.record({ anomalyIds: ['an_00001', 'an_00002', 'an_00001'], label: 'FALSE_POSITIVE', note: 'known merchant' }, 'me', 100)
    expect(result.decided).toBe(2)
    expect(store.queue.get('an_00001')).toMatchObject({ status: 'FALSE_POSITIVE', pending: true, latestDecision: { note: 'known merchant', decidedBy: 'me' } })
    const queued = store.outbox.takeForPush(500)
    expect(queued).toHaveLength(2)
    for (const d of queued) expect(d.mutationId).toMatch(/^[0-9a-f-]{36}$/)
    expect(queued[0]).toMatchObject({ label: 'FALSE_POSITIVE', note: 'known merchant', decidedAt: 100 })
    expect(() => store.outbox.record({ anomalyIds: ['missing'], label: 'FALSE_POSITIVE' }, 'me', 1)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
    // The failed action wrote nothing.
    expect(store.outbox.counts().pending).toBe(2)
  })

  it('undoes the last action back to the previous status and decision, one action at a time', () => {
    store.outbox.record({ anomalyIds: ['an_00003'], label: 'CONFIRMED_FRAUD' }, 'me', 100)
    store.outbox.record({ anomalyIds: ['an_00001', 'an_00002'], label: 'NEEDS_REVIEW' }, 'me', 200)
    expect(store.outbox.undoLast()).toMatchObject({ restored: 2 })
    expect(store.queue.get('an_00001')).toMatchObject({ status: 'OPEN', pending: false, latestDecision: null })
    expect(store.outbox.undoLast()).toMatchObject({ restored: 1, anomalyIds: ['an_00003'] })
    expect(store.queue.get('an_00003')).toMatchObject({ status: 'NEEDS_REVIEW', latestDecision: { note: 'look', decidedBy: 'u2' } })
    expect(store.outbox.undoLast()).toEqual({ restored: 0, anomalyIds: [] })
    expect(store.outbox.counts().pending).toBe(0)
  })

  it('refuses to undo what is in flight or already pushed', () => {
    store.outbox.record({ anomalyIds: ['an_00001'], label: 'CONFIRMED_FRAUD' }, 'me', 100)
    const [sent] = store.outbox.takeForPush(10)
    expect(() => store.outbox.undoLast()).toThrow(expect.objectContaining({ code: 'CONFLICT' }))
    store.outbox.markOutcomes([{ mutationId: sent?.mutationId ?? '', outcome: 'applied', status: 'CONFIRMED_FRAUD' }], 150)
    expect(() => store.outbox.undoLast()).toThrow(/already been sent/)
    expect(store.outbox.counts()).toEqual({ pending: 0, rejected: 0 })
  })

  it('puts in-flight decisions back in the queue after a failed push or a crash', () => {
    store.outbox.record({ anomalyIds: ['an_00001'], label: 'CONFIRMED_FRAUD' }, 'me', 100)
    expect(store.outbox.takeForPush(10)).toHaveLength(1)
    store.outbox.releaseInFlight()
    expect(store.outbox.takeForPush(10)).toHaveLength(1)
    expect(store.outbox.counts().pending).toBe(1)
  })

  it('keeps decisions on offline-scored rows local: never pushed, still undoable', () => {
    store.db.prepare("INSERT INTO local_batches (id, name, created_at) VALUES ('b1', 'file.csv', 1)").run()
    store.db.prepare("UPDATE anomalies SET batch_id = 'b1' WHERE id = 'an_00002'").run()
    store.outbox.record({ anomalyIds: ['an_00002'], label: 'CONFIRMED_FRAUD' }, 'me', 100)
    expect(store.outbox.takeForPush(10)).toEqual([])
    expect(store.outbox.counts().pending).toBe(0)
    expect(store.outbox.undoLast().restored).toBe(1)
    expect(store.queue.get('an_00002').status).toBe('OPEN')
  })
})
