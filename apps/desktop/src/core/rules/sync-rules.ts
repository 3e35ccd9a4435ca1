import { AppError, ZRulesInForce } from '@anomalyze/shared'
import type { ServerClient } from '../sync/server-client.ts'
import type { RuleSetCache } from './rule-set-cache.ts'
import { compileSyncedSet } from './rules-in-force.ts'

export type RulesSyncOutcome =
  /** The set in force and its lists are stored: file scoring uses them from now on. */
  | { kind: 'synced'; version: number }
  /** The server has no rules.inForce (it predates rules as data): the cached set stays (the default set when never synced). */
  | { kind: 'not-offered' }
  /** The call failed or its answer is not usable here: the last good copy stays. */
  | { kind: 'kept'; reason: string }

/**
 * Fetches the rule set in force (`rules.inForce`) and stores it for offline use. A
 * set this console cannot compile (a newer server's language) is not stored: scoring
 * would otherwise evaluate something else than the server does. Never throws: the
 * rules are one part of a sync whose anomalies are already stored.
 */
export async function syncRulesInForce(client: Pick<ServerClient, 'call'>, cache: RuleSetCache, orgId: string, now: number): Promise<RulesSyncOutcome> {
  let answer: unknown
  try {
    answer = await client.call('query', 'rules.inForce', undefined)
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return { kind: 'not-offered' }
    return { kind: 'kept', reason: `rules.inForce failed: ${messageOf(error)}` }
  }
  const parsed = ZRulesInForce.safeParse(answer)
  if (!parsed.success) return { kind: 'kept', reason: `rules.inForce answered something else than a rule set: ${parsed.error.issues[0]?.message ?? 'invalid'}` }
  try {
    compileSyncedSet(parsed.data, now)
  } catch (error) {
    return { kind: 'kept', reason: `rule set version ${parsed.data.version} does not compile in this console: ${messageOf(error)}` }
  }
  try {
    cache.save(orgId, parsed.data, now)
  } catch (error) {
    // A busy cache (a file being stored): the next sync stores it.
    return { kind: 'kept', reason: `the rule set could not be stored: ${messageOf(error)}` }
  }
  return { kind: 'synced', version: parsed.data.version }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
