import { afterEach, describe, expect, it } from 'vitest'
import { FakeSyncServer } from '../../../test/support/fake-sync-server.ts'
import { makeAnomaly, tempStore } from '../../../test/support/fixtures.ts'
import { refusalReason, type Profile } from '../../contract/profile.ts'
import type { ServerUser } from './server-client.ts'
import { SyncEngine, toProfile } from './sync-engine.ts'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const acme = { id: 'org_acme', name: 'Acme', personal: false }
const priya: ServerUser = {
  id: 'user_priya',
  email: null,
  name: 'Priya',
  mode: 'local',
  org: { ...acme, role: 'ANALYST' },
  permissions: ['anomalies:read', 'anomalies:decide'],
  organizations: [{ ...acme, role: 'ANALYST' }],
}
const vikram: ServerUser = { ...priya, id: 'user_vikram', name: 'Vikram', org: { ...acme, role: 'VIEWER' }, permissions: ['anomalies:read'] }
const priyaElsewhere: ServerUser = { ...priya, org: { id: 'org_other', name: 'Other', personal: false, role: 'ADMIN' } }

/** The engine against the fake server, answering me.get as whoever `who()` names (each token is one person). */
function setup() {
  const temp = tempStore()
  cleanups.push(temp.cleanup)
  const server = new FakeSyncServer(Array.from({ length: 12 }, (_, i) => makeAnomaly(i)))
  const people: Record<string, ServerUser> = { priya, vikram, priyaElsewhere }
  const engine = new SyncEngine({
    store: temp.store,
    now: () => 50_000,
    createClient: ({ token }) => ({ ...server.client(), me: async () => people[token] ?? priya }),
  })
  return { ...temp, server, engine }
}

describe('signing in as one person of a team after another', () => {
  it('keeps the profile with organisation, role and permissions for the console', async () => {
    const { engine } = setup()
    expect(await engine.profile()).toEqual({ profile: null, fresh: false })
    await engine.signIn('http://127.0.0.1:1', 'vikram')
    const answer = await engine.profile()
    expect(answer.fresh).toBe(true)
    expect(answer.profile).toMatchObject({ name: 'Vikram', org: { id: 'org_acme', role: 'VIEWER' }, permissions: ['anomalies:read'] })
    expect(refusalReason(answer.profile, 'anomalies:decide')).toBe('Viewers can read; deciding needs the analyst role')
    expect(refusalReason(answer.profile, 'anomalies:read')).toBeNull()
  })

  it("refuses to send one person's pending decisions under another's name, and lets the same person back in", async () => {
    const { engine, store } = setup()
    await engine.signIn('http://127.0.0.1:1', 'priya')
    await engine.syncNow()
    store.outbox.record({ anomalyIds: ['an_00001'], label: 'CONFIRMED_FRAUD' }, engine.currentUserId(), 60_000)
    await expect(engine.signIn('http://127.0.0.1:1', 'vikram')).rejects.toThrow(
      "1 decision made as Priya in Acme is not synced yet: sign in as Priya and sync first, so they are not sent under someone else's name.",
    )
    // Nothing changed: still Priya's session, her decision still queued.
    expect(engine.status()).toMatchObject({ user: { id: 'user_priya' }, pending: 1 })
    await engine.signIn('http://127.0.0.1:1', 'priya')
    await engine.syncNow()
    expect(engine.status().pending).toBe(0)
    // Synced: now the next person may sign in on this console.
    await engine.signIn('http://127.0.0.1:1', 'vikram')
    expect(engine.status().user?.id).toBe('user_vikram')
    expect(engine.status().cachedAnomalies).toBe(12)
  })

  it("drops another organisation's cached queue when the token names a different one", async () => {
    const { engine, store } = setup()
    await engine.signIn('http://127.0.0.1:1', 'priya')
    await engine.syncNow()
    expect(engine.status().cachedAnomalies).toBe(12)
    await engine.signIn('http://127.0.0.1:1', 'priyaElsewhere')
    expect(engine.status().cachedAnomalies).toBe(0)
    expect(store.state.get('cursor')).toBeNull()
    // Same organisation again (another person): the cache stays.
    await engine.signIn('http://127.0.0.1:1', 'priyaElsewhere')
    await engine.syncNow()
    expect(engine.status().cachedAnomalies).toBe(12)
  })

  it('reads a server without teams as a profile without organisation, which allows every control', () => {
    const old: Profile = toProfile({ id: 'u', email: null, name: 'Old', mode: 'local' })
    expect(old).toMatchObject({ org: null, permissions: null, organizations: [] })
    expect(refusalReason(old, 'members:manage')).toBeNull()
  })
})
