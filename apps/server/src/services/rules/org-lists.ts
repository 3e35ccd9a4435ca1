import type { ListInfo, ListKind, RuleLists } from '@anomalyze/shared/engine'
import type { Db, Prisma } from '../../db/prisma.ts'

type ListReader = Pick<Db, 'ruleList'> | Prisma.TransactionClient

export interface OrgLists {
  /** What the rule checker needs: every list's name, kind and field. */
  infos: ListInfo[]
  /** What evaluation needs: every list's values by name, and the ALLOW lists' reasons by value. */
  lists: RuleLists
}

/**
 * Every allow and deny list of an organisation with all its entries, in the two shapes
 * the rule language takes. Read whole: the rule-set cache keeps the answer until a
 * list changes, so ingestion does not read lists per transaction.
 */
export async function orgLists(db: ListReader, orgId: string): Promise<OrgLists> {
  const rows = await db.ruleList.findMany({
    where: { orgId },
    orderBy: { name: 'asc' },
    select: { name: true, kind: true, field: true, entries: { select: { value: true, reason: true } } },
  })
  const infos: ListInfo[] = []
  const values = new Map<string, ReadonlySet<string>>()
  const allow: { name: string; field: string; reasons: ReadonlyMap<string, string> }[] = []
  for (const row of rows) {
    const kind: ListKind = row.kind
    infos.push({ name: row.name, kind, field: row.field })
    values.set(row.name, new Set(row.entries.map((entry) => entry.value)))
    if (kind === 'ALLOW') {
      allow.push({ name: row.name, field: row.field, reasons: new Map(row.entries.map((entry) => [entry.value, entry.reason])) })
    }
  }
  return { infos, lists: { values, allow } }
}
