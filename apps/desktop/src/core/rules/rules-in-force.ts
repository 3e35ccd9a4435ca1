import { compileRuleSet, DEFAULT_RULE_SET, defaultCompiledRuleSet, type CompiledRuleSet } from '@anomalyze/shared/engine'
import type { ListInfo, RuleDefinition, RuleLists } from '@anomalyze/shared'
import type { LocalRuleSet } from '../../contract/rules.ts'
import type { LocalStore } from '../store/local-store.ts'
import { createRuleSetCache, type CachedRuleSet, type RuleSetCache, type SyncedList } from './rule-set-cache.ts'

/** The rule set this console evaluates now, compiled, with its lists ready for evaluation. */
export interface RuleSetInForce {
  version: number
  definitions: readonly RuleDefinition[]
  compiled: CompiledRuleSet
  /** What the checker needs of the lists (names, kinds, fields). */
  listInfos: ListInfo[]
  lists: RuleLists
  /** As the contract shows it: names, kinds, fields and entry counts. */
  summary: LocalRuleSet
}

/** The built-in set (version 0, no lists): never synced, or the server predates rules as data. */
export function defaultRuleSetInForce(): RuleSetInForce {
  return {
    version: DEFAULT_RULE_SET.version,
    definitions: DEFAULT_RULE_SET.rules,
    compiled: defaultCompiledRuleSet(),
    listInfos: [],
    lists: toRuleLists([]),
    summary: { version: DEFAULT_RULE_SET.version, rules: DEFAULT_RULE_SET.rules.map((r) => ({ ...r })), lists: [], syncedAt: null },
  }
}

export function listInfosOf(lists: readonly Pick<SyncedList, 'name' | 'kind' | 'field'>[]): ListInfo[] {
  return lists.map((l) => ({ name: l.name, kind: l.kind, field: l.field }))
}

/**
 * Lists as the evaluator reads them: every list's values by name (for `in list(...)`),
 * and the ALLOW lists in the server's order with each value's reason (suppression).
 */
export function toRuleLists(lists: readonly SyncedList[]): RuleLists {
  const values = new Map<string, ReadonlySet<string>>()
  const allow: { name: string; field: string; reasons: ReadonlyMap<string, string> }[] = []
  for (const list of lists) {
    values.set(list.name, new Set(list.entries.map((e) => e.value)))
    if (list.kind === 'ALLOW') allow.push({ name: list.name, field: list.field, reasons: new Map(list.entries.map((e) => [e.value, e.reason])) })
  }
  return { values, allow }
}

/** Compiles a synced set; throws RuleSetError when a rule does not check here. */
export function compileSyncedSet(cached: Pick<CachedRuleSet, 'version' | 'rules' | 'lists'>, syncedAt: number | null): RuleSetInForce {
  const listInfos = listInfosOf(cached.lists)
  const compiled = compileRuleSet({ version: cached.version, rules: cached.rules }, listInfos)
  return {
    version: cached.version,
    definitions: compiled.definitions,
    compiled,
    listInfos,
    lists: toRuleLists(cached.lists),
    summary: {
      version: cached.version,
      rules: cached.rules.map((r) => ({ ...r })),
      lists: cached.lists.map((l) => ({ name: l.name, kind: l.kind, field: l.field, entryCount: new Set(l.entries.map((e) => e.value)).size })),
      syncedAt,
    },
  }
}

export interface RulesInForceSource {
  /** The set in force now (compiled again only when a sync stored a new one). */
  current(): RuleSetInForce
  readonly cache: RuleSetCache
}

/**
 * The synced set of the organisation the cache holds, or the default set when none
 * was synced for it (a set synced for another organisation is not this one's). The
 * sync only stores sets that compile here; one that does not any more falls back to
 * the default set rather than scoring with half of it.
 */
export function createRulesInForce(store: Pick<LocalStore, 'db' | 'state'>): RulesInForceSource {
  const cache = createRuleSetCache(store.db)
  let memo: { key: string; set: RuleSetInForce } | null = null
  return {
    cache,
    current() {
      const stamp = cache.stamp()
      const orgId = store.state.get('cacheOrgId')
      if (stamp === null || orgId === null || stamp.orgId !== orgId) return defaultRuleSetInForce()
      const key = `${stamp.orgId}\u0000${stamp.version}\u0000${stamp.syncedAt}`
      if (memo?.key === key) return memo.set
      const cached = cache.read()
      let set: RuleSetInForce
      try {
        set = cached === null ? defaultRuleSetInForce() : compileSyncedSet(cached, cached.syncedAt)
      } catch {
        set = defaultRuleSetInForce()
      }
      memo = { key, set }
      return set
    },
  }
}
