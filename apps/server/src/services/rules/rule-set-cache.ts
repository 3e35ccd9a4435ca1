import { compileRuleSet, type CompiledRuleSet, type RuleLists } from '@anomalyze/shared/engine'
import type { Db } from '../../db/prisma.ts'
import { orgLists } from './org-lists.ts'
import { loadRuleSetInForce } from './rule-set-in-force.ts'

export interface RuleSetForIngest {
  version: number
  compiled: CompiledRuleSet
  lists: RuleLists
}

/**
 * Entries expire after 30 s even without an invalidation: invalidateRuleSet only
 * reaches this process, so a second server process (or a worker) sees another
 * process's publish or list change within 30 s instead of never.
 */
const EXPIRY_MS = 30_000

interface Entry {
  expiresAt: number
  ruleSet: Promise<RuleSetForIngest>
}

const cache = new Map<string, Entry>()

/**
 * The organisation's rule set in force, compiled, with its lists: what ingestion
 * evaluates. Cached per organisation so a batch does not read rules and lists per
 * call. The promise is cached, so concurrent callers share one load; a failed load
 * is not kept. A RuleSetError (a published set that does not check against the
 * current lists) propagates: scoring with some other set would be silently wrong.
 */
export function ruleSetFor(db: Db, orgId: string, now = Date.now()): Promise<RuleSetForIngest> {
  const cached = cache.get(orgId)
  if (cached !== undefined && cached.expiresAt > now) return cached.ruleSet
  const entry: Entry = { expiresAt: now + EXPIRY_MS, ruleSet: loadRuleSet(db, orgId) }
  cache.set(orgId, entry)
  entry.ruleSet.catch(() => {
    if (cache.get(orgId) === entry) cache.delete(orgId)
  })
  return entry.ruleSet
}

/**
 * Call after publishing, restoring or changing a list. A load already under way keeps
 * its answer for its own callers, but is no longer cached: the next call reloads.
 */
export function invalidateRuleSet(orgId: string): void {
  cache.delete(orgId)
}

/** Tests: forget every organisation's rule set. */
export function clearRuleSetCache(): void {
  cache.clear()
}

async function loadRuleSet(db: Db, orgId: string): Promise<RuleSetForIngest> {
  const [inForce, lists] = await Promise.all([loadRuleSetInForce(db, orgId), orgLists(db, orgId)])
  const compiled = compileRuleSet({ version: inForce.version, rules: inForce.rules }, lists.infos)
  return { version: inForce.version, compiled, lists: lists.lists }
}
