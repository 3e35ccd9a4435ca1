import type Database from 'better-sqlite3'
import { z } from 'zod'
import { LIST_FIELDS, ZRuleDefinition, type TRulesInForce } from '@anomalyze/shared'
import { writeTransaction } from '../store/open-database.ts'

/** A list of the synced set, as rules.inForce sent it. */
export type SyncedList = TRulesInForce['lists'][number]

/** The rule set in force as last synced from the server, with every list it may name. */
export interface CachedRuleSet {
  orgId: string
  version: number
  rules: TRulesInForce['rules']
  lists: SyncedList[]
  syncedAt: number
}

/** Which synced set is in the cache (cheap: no rules or list entries read). */
export interface CachedRuleSetStamp {
  orgId: string
  version: number
  syncedAt: number
}

/** SQL of the synced rule set (rule_set_cache, rule_list_cache, rule_list_entry_cache) and of local_batch_rule_sets. */
export interface RuleSetCache {
  stamp(): CachedRuleSetStamp | null
  /** The whole synced set; null when none was synced or what is stored no longer reads as a rule set. */
  read(): CachedRuleSet | null
  /** Replaces the synced set and its lists in one transaction. */
  save(orgId: string, inForce: TRulesInForce, syncedAt: number): void
  /** Records the rule-set version a scored file was evaluated with. */
  recordBatchVersion(batchId: string, version: number): void
  batchVersion(batchId: string): number | null
}

const ZStoredRules = z.array(ZRuleDefinition)

export function createRuleSetCache(db: Database.Database): RuleSetCache {
  const readStamp = db.prepare<[], { org_id: string; version: number; synced_at: number }>('SELECT org_id, version, synced_at FROM rule_set_cache WHERE id = 1')
  const readRules = db.prepare<[], { rules_json: string }>('SELECT rules_json FROM rule_set_cache WHERE id = 1')
  const readLists = db.prepare<[], { name: string; kind: string; field: string }>('SELECT name, kind, field FROM rule_list_cache ORDER BY position')
  const readEntries = db.prepare<[], { list_name: string; value: string; reason: string }>('SELECT list_name, value, reason FROM rule_list_entry_cache')
  const writeSet = db.prepare<[string, number, string, number]>(
    `INSERT INTO rule_set_cache (id, org_id, version, rules_json, synced_at) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, version = excluded.version, rules_json = excluded.rules_json, synced_at = excluded.synced_at`,
  )
  const writeList = db.prepare<[string, number, string, string]>('INSERT INTO rule_list_cache (name, position, kind, field) VALUES (?, ?, ?, ?)')
  // A value listed twice keeps its last reason, as a Map built from the same entries would.
  const writeEntry = db.prepare<[string, string, string]>('INSERT OR REPLACE INTO rule_list_entry_cache (list_name, value, reason) VALUES (?, ?, ?)')
  const writeBatchVersion = db.prepare<[string, number]>('INSERT OR REPLACE INTO local_batch_rule_sets (batch_id, version) VALUES (?, ?)')
  const readBatchVersion = db.prepare<[string], number>('SELECT version FROM local_batch_rule_sets WHERE batch_id = ?').pluck()

  const save = writeTransaction(db, (orgId: string, inForce: TRulesInForce, syncedAt: number) => {
    db.exec('DELETE FROM rule_list_entry_cache; DELETE FROM rule_list_cache;')
    writeSet.run(orgId, inForce.version, JSON.stringify(inForce.rules), syncedAt)
    inForce.lists.forEach((list, position) => {
      writeList.run(list.name, position, list.kind, list.field)
      for (const entry of list.entries) writeEntry.run(list.name, entry.value, entry.reason)
    })
  })

  return {
    stamp() {
      const row = readStamp.get()
      return row === undefined ? null : { orgId: row.org_id, version: row.version, syncedAt: row.synced_at }
    },
    read() {
      const stamp = this.stamp()
      const stored = readRules.get()
      if (stamp === null || stored === undefined) return null
      const rules = ZStoredRules.safeParse(safeJson(stored.rules_json))
      if (!rules.success) return null
      const lists = new Map<string, SyncedList>()
      for (const l of readLists.all()) {
        if ((l.kind !== 'ALLOW' && l.kind !== 'DENY') || !isListField(l.field)) return null
        lists.set(l.name, { name: l.name, kind: l.kind, field: l.field, entries: [] })
      }
      for (const e of readEntries.iterate()) lists.get(e.list_name)?.entries.push({ value: e.value, reason: e.reason })
      return { ...stamp, rules: rules.data, lists: [...lists.values()] }
    },
    save: (orgId, inForce, syncedAt) => save(orgId, inForce, syncedAt),
    recordBatchVersion: (batchId, version) => void writeBatchVersion.run(batchId, version),
    batchVersion: (batchId) => readBatchVersion.get(batchId) ?? null,
  }
}

const LIST_FIELD_NAMES: ReadonlySet<string> = new Set(LIST_FIELDS)

function isListField(field: string): field is SyncedList['field'] {
  return LIST_FIELD_NAMES.has(field)
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
