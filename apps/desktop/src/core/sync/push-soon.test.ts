import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FakeSyncServer } from '../../../test/support/fake-sync-server.ts'
import { makeAnomaly, seedAnomalies } from '../../../test/support/fixtures.ts'
import { createCore, type Core } from '../create-core.ts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function signedInCore(): Promise<{ core: Core; server: FakeSyncServer }> {
  const dir = mkdtempSync(join(tmpdir(), 'anomalyze-push-soon-'))
  const anomalies = Array.from({ length: 5 }, (_, i) => makeAnomaly(i))
  const server = new FakeSyncServer(anomalies)
  // No periodic sync: whatever reaches the server got there by the decision's own push.
  const core = createCore({ dataDir: dir, createClient: () => server.client(), autoSyncMs: 0 })
  cleanups.push(async () => {
    await core.close()
    rmSync(dir, { recursive: true, force: true })
  })
  // As a pull would have stored them, at time 0 ("Last synced" 0).
  seedAnomalies(core.store, anomalies)
  await core.sync.signIn('http://127.0.0.1:1', 'token')
  return { core, server }
}

describe('decisions leave the machine on their own', () => {
  it('pushes a decision made through the core within seconds, without a sync call, and says so in the status', async () => {
    const { core, server } = await signedInCore()
    const id = makeAnomaly(1).id
    const recorded = await core.handlers['decision.record']({ anomalyIds: [id], label: 'CONFIRMED_FRAUD' })
    expect(recorded.error).toBeUndefined()
    expect((await core.handlers['sync.status']({})).data).toMatchObject({ pending: 1, lastSyncedAt: 0 })

    await vi.waitFor(() => expect(server.anomalies.get(id)?.latestDecision?.label).toBe('CONFIRMED_FRAUD'), { timeout: 10_000, interval: 100 })
    await vi.waitFor(() => expect(core.sync.status()).toMatchObject({ pending: 0, state: 'idle', error: null }), { timeout: 10_000, interval: 100 })
    expect(core.sync.status().lastSyncedAt).toBeGreaterThan(0)
    // Only the push ran: no pull was asked for.
    expect(server.pullCursors).toEqual([])
  })

  it('keeps a decision pending, and "Last synced" where it was, while the server cannot be reached', async () => {
    const { core, server } = await signedInCore()
    server.offline = true
    const id = makeAnomaly(2).id
    await core.handlers['decision.record']({ anomalyIds: [id], label: 'FALSE_POSITIVE' })
    await vi.waitFor(() => expect(core.sync.status().state).toBe('offline'), { timeout: 10_000, interval: 100 })
    expect(core.sync.status()).toMatchObject({ pending: 1, lastSyncedAt: 0 })
    expect(server.seenMutations.size).toBe(0)
  })

  it('sends nothing while signed out', async () => {
    const { core, server } = await signedInCore()
    core.sync.signOut()
    await core.handlers['decision.record']({ anomalyIds: [makeAnomaly(3).id], label: 'CONFIRMED_FRAUD' })
    expect(await core.sync.pushPending()).toBe(true)
    expect(server.seenMutations.size).toBe(0)
    expect(core.sync.status().pending).toBe(1)
  })
})
