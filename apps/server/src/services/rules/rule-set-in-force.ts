import { ZRuleDefinition } from '@anomalyze/shared'
import { DEFAULT_RULE_SET, type RuleDefinition } from '@anomalyze/shared/engine'
import { z } from 'zod'
import type { Db, Prisma } from '../../db/prisma.ts'

type VersionReader = Pick<Db, 'ruleSetVersion'> | Prisma.TransactionClient

export interface RuleSetInForce {
  /** 0: nothing published yet, the built-in DEFAULT_RULE_SET is in force. */
  version: number
  rules: RuleDefinition[]
  publishedAt: number | null
  publishedById: string | null
  comment: string
  restoredFrom: number | null
}

const ZStoredRules = z.array(ZRuleDefinition)

/**
 * The organisation's rule set in force: its highest published RuleSetVersion, or
 * version 0 (DEFAULT_RULE_SET) when it has published none. The stored JSON is parsed
 * again, not trusted: a row edited by hand fails here with the version named rather
 * than deep inside evaluation.
 */
export async function loadRuleSetInForce(db: VersionReader, orgId: string): Promise<RuleSetInForce> {
  const row = await db.ruleSetVersion.findFirst({ where: { orgId }, orderBy: { version: 'desc' } })
  if (row === null) {
    return { version: 0, rules: DEFAULT_RULE_SET.rules.map((rule) => ({ ...rule })), publishedAt: null, publishedById: null, comment: '', restoredFrom: null }
  }
  const parsed = ZStoredRules.safeParse(row.rules)
  if (!parsed.success) throw new Error(`rule set version ${row.version} of organisation ${orgId} is not a list of rule definitions: ${parsed.error.message}`)
  return {
    version: row.version,
    rules: parsed.data,
    publishedAt: row.createdAt.getTime(),
    publishedById: row.publishedById,
    comment: row.comment,
    restoredFrom: row.restoredFrom,
  }
}
