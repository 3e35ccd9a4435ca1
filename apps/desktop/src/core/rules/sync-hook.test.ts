import { afterEach, describe, expect, it } from 'vitest'
import { AppError, type TRulesInForce } from '@anomalyze/shared'
import { DEFAULT_RULE_SET } from '@anomalyze/shared/engine'
import { tempStore } from '../../../test/support/fixtures.ts'
import type { ServerClient, ServerUser } from '../sync/server-client.ts'
import { SyncEngine } from '../sync/sync-engine.ts'
import { createRulesInForce } from './rules-in-force.ts'

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

const user: ServerUser = { id: 'u1', email: null, name: 'Asha', mode: 'local', org: { id: 'org_a', name: 'A', personal: false, role: 'ANALYST' } }
const published: TRulesInForce = {
  version: 3,
  rules: [
    { name: 'BIG', expression: 'amount > 1000 and account_id not in list("vip")', description: '', mode: 'ACTIVE', severityFloor: null, scoreBoost: null },
  ],
  lists: [{ name: 'vip', kind: 'ALLOW', field: 'account_id', entries: [{ value: 'C1', reason: 'board member' }] }],
}

/** A server with no anomalies whose rules.inForce answers what `rules` says. */
function server(rules: { answer: () => Promise<unknown> }): ServerClient {
  return {
    me: async () => user,
    push: async () => ({ results: [] }),
    pull: async () => ({ anomalies: [], nextCursor: null, hasMore: false, total: 0, activeModel: null }),
    call: async (_type: string, path: string) => {
      if (path === 'rules.inForce') return rules.answer()
      throw new AppError('NOT_FOUND', `No procedure found on path "${path}"`)
    },
  }
}

describe('the sync keeps the rule set in force', () => {
  it('stores the set a sync fetched, keeps it when a later sync cannot fetch one, and leaves the default set for a server without rules', async () => {
    const temp = tempStore()
    cleanups.push(temp.cleanup)
    const rules = { answer: async (): Promise<unknown> => published }
    const engine = new SyncEngine({ store: temp.store, createClient: () => server(rules), now: () => 5_000 })
    const source = createRulesInForce(temp.store)

    rules.answer = async () => {
      throw new AppError('NOT_FOUND', 'No procedure found on path "rules.inForce"')
    }
    await engine.signIn('http://server.test', 'token')
    expect((await engine.syncNow()).error).toBeNull()
    expect(engine.lastRulesSync()).toEqual({ kind: 'not-offered' })
    expect(source.current().version).toBe(DEFAULT_RULE_SET.version)

    rules.answer = async () => published
    await engine.syncNow()
    expect(engine.lastRulesSync()).toEqual({ kind: 'synced', version: 3 })
    expect(source.current().summary).toEqual({
      version: 3,
      rules: published.rules,
      lists: [{ name: 'vip', kind: 'ALLOW', field: 'account_id', entryCount: 1 }],
      syncedAt: 5_000,
    })

    rules.answer = async () => {
      throw new AppError('INTERNAL', 'database is down')
    }
    // The anomalies part of the sync still succeeds; the rules stay as last synced.
    expect((await engine.syncNow()).error).toBeNull()
    expect(engine.lastRulesSync()).toMatchObject({ kind: 'kept', reason: expect.stringContaining('database is down') })
    expect(source.current().version).toBe(3)
    expect(source.current().lists.allow[0]?.reasons.get('C1')).toBe('board member')
  })
})
