import type { z } from 'zod'
import {
  AppError,
  textProblem,
  type ListField,
  type TListRow,
  type ZListAddEntriesInput,
  type ZListCreateInput,
  type ZListEntriesInput,
  type ZListImportInput,
  type ZListRemoveEntriesInput,
} from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import { isUniqueViolation } from '../cases/db-errors.ts'
import { listReasonProblem, listValueProblem, parseListCsv, type ImportEntry } from './list-import.ts'
import { invalidateRuleSet } from './rule-set-cache.ts'
import { loadRuleSetInForce } from './rule-set-in-force.ts'

/**
 * Allow and deny lists: what the `lists` router does. A list change applies to the next
 * transaction, so every change drops the organisation's cached rule set.
 */

/** An actor that changes lists: always a person (rules:publish is people only), named on what they add. */
export type ListActor = AuditActor & { orgId: string; actor: string }

/** Rows of one insert statement (two array parameters): bounds a statement's size, not its parameter count. */
const INSERT_CHUNK = 5_000
/** An import of a few hundred thousand lines takes seconds; the default 5 s would cut it off. */
const IMPORT_TIMEOUT_MS = 120_000
/** Values an audit row quotes (counts are always there). */
const AUDITED_VALUES = 100

const listSelect = {
  id: true,
  name: true,
  kind: true,
  field: true,
  description: true,
  updatedAt: true,
  _count: { select: { entries: true } },
} as const satisfies Prisma.RuleListSelect

type ListRecord = Prisma.RuleListGetPayload<{ select: typeof listSelect }>

const toListRow = (list: ListRecord): TListRow => ({
  id: list.id,
  name: list.name,
  kind: list.kind,
  field: list.field as ListField,
  description: list.description,
  entryCount: list._count.entries,
  updatedAt: list.updatedAt.getTime(),
})

export async function listLists(db: Db, orgId: string): Promise<TListRow[]> {
  const lists = await db.ruleList.findMany({ where: { orgId }, orderBy: { name: 'asc' }, select: listSelect })
  return lists.map(toListRow)
}

/** The organisation's list, or NOT_FOUND (another organisation's id is not found either). */
async function findList(db: Db | Prisma.TransactionClient, orgId: string, id: string): Promise<ListRecord> {
  // An id Postgres cannot compare (NUL, lone surrogate) names no row: answered like one that does not exist.
  const list = textProblem(id) === null ? await db.ruleList.findFirst({ where: { id, orgId }, select: listSelect }) : null
  if (!list) throw new AppError('NOT_FOUND', `No list ${JSON.stringify(id.slice(0, 100))} in this organisation`, { listId: id })
  return list
}

export async function createList(db: Db, actor: ListActor, input: z.output<typeof ZListCreateInput>): Promise<TListRow> {
  try {
    const list = await db.$transaction(async (tx) => {
      const created = await tx.ruleList.create({
        data: { orgId: actor.orgId, name: input.name, kind: input.kind, field: input.field, description: input.description, createdById: actor.actor },
        select: listSelect,
      })
      await recordAudit(tx, actor, {
        action: 'lists.create',
        entityType: 'RuleList',
        entityId: created.id,
        newData: { name: created.name, kind: created.kind, field: created.field, description: created.description },
      })
      return created
    })
    invalidateRuleSet(actor.orgId)
    return toListRow(list)
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('CONFLICT', `A list named "${input.name}" already exists in this organisation: pick another name`, { name: input.name })
    }
    throw error
  }
}

/** Deletes a list and its entries; refused while a draft or the rule set in force names it. */
export async function deleteList(db: Db, actor: ListActor, id: string): Promise<{ id: string }> {
  const deleted = await db.$transaction(async (tx) => {
    // Serialises this organisation's list deletions with rule changes that take the same
    // lock (rulesLockKey), so a rule naming the list cannot be saved between check and delete.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${rulesLockKey(actor.orgId)}))`
    const list = await findList(tx, actor.orgId, id)
    const naming = await rulesNamingList(tx, actor.orgId, list.name)
    if (naming.drafts.length > 0 || naming.inForce.length > 0) {
      const parts = [
        naming.drafts.length > 0 ? `the drafts ${naming.drafts.join(', ')}` : null,
        naming.inForce.length > 0 ? `the rules in force (version ${naming.version}) ${naming.inForce.join(', ')}` : null,
      ].filter((part) => part !== null)
      throw new AppError(
        'CONFLICT',
        `The list "${list.name}" is used by ${parts.join(' and ')}: change those rules (and publish) so that none names list("${list.name}"), then delete it`,
        { drafts: naming.drafts, inForce: naming.inForce, version: naming.version },
      )
    }
    await tx.ruleList.delete({ where: { id: list.id } })
    await recordAudit(tx, actor, {
      action: 'lists.delete',
      entityType: 'RuleList',
      entityId: list.id,
      oldData: { name: list.name, kind: list.kind, field: list.field, entryCount: list._count.entries },
    })
    return list
  })
  invalidateRuleSet(actor.orgId)
  return { id: deleted.id }
}

/**
 * The advisory lock key of an organisation's rules and lists (pg_advisory_xact_lock of
 * its hashtext): taken by a list delete; a draft save or publish that takes it too cannot
 * name a list in the middle of its deletion.
 */
export const rulesLockKey = (orgId: string): string => `rules-${orgId}`

const entrySelect = { id: true, value: true, reason: true, addedById: true, createdAt: true } as const satisfies Prisma.RuleListEntrySelect

/** One page of a list's entries by value, optionally those whose value or reason holds `search`. */
export async function listEntries(db: Db, orgId: string, input: z.output<typeof ZListEntriesInput>) {
  const list = await findList(db, orgId, input.listId)
  const search = input.search?.trim() ?? ''
  const searchProblem = textProblem(search)
  if (searchProblem !== null) throw new AppError('BAD_INPUT', `search ${searchProblem}`, { field: 'search' })
  // Prisma hands `contains` to ILIKE as it is: its wildcards (and the escape) are searched for as text.
  const pattern = search.replace(/[\\%_]/g, (char) => `\\${char}`)
  const matching: Prisma.RuleListEntryWhereInput = {
    listId: list.id,
    ...(search === '' ? {} : { OR: [{ value: { contains: pattern, mode: 'insensitive' } }, { reason: { contains: pattern, mode: 'insensitive' } }] }),
  }
  let after: string | undefined
  if (input.cursor != null) {
    const from =
      textProblem(input.cursor) === null ? await db.ruleListEntry.findFirst({ where: { id: input.cursor, listId: list.id }, select: { value: true } }) : null
    if (!from) throw new AppError('BAD_INPUT', 'cursor: the entry this page followed was removed; start again from the first page', { field: 'cursor' })
    after = from.value
  }
  const [rows, total] = await Promise.all([
    db.ruleListEntry.findMany({
      where: after === undefined ? matching : { AND: [matching, { value: { gt: after } }] },
      orderBy: { value: 'asc' },
      take: input.limit + 1,
      select: entrySelect,
    }),
    db.ruleListEntry.count({ where: matching }),
  ])
  const page = rows.slice(0, input.limit)
  const people = await db.user.findMany({
    where: { id: { in: [...new Set(page.map((row) => row.addedById))] } },
    select: { id: true, name: true, email: true },
  })
  const nameOf = new Map(people.map((person) => [person.id, person.name ?? person.email ?? person.id]))
  return {
    items: page.map((row) => ({
      id: row.id,
      value: row.value,
      reason: row.reason,
      addedBy: { id: row.addedById, name: nameOf.get(row.addedById) ?? row.addedById },
      createdAt: row.createdAt.getTime(),
    })),
    nextCursor: rows.length > input.limit ? (page[page.length - 1]?.id ?? null) : null,
    total,
  }
}

/** Adds entries (already listed values are kept as they are); every value checked against the list's field. */
export async function addListEntries(db: Db, actor: ListActor, input: z.output<typeof ZListAddEntriesInput>) {
  const list = await findList(db, actor.orgId, input.listId)
  const entries = input.entries.map((entry, index) => {
    const value = entry.value.trim()
    const reason = entry.reason.trim()
    const problem = listValueProblem(list.field as ListField, value) ?? listReasonProblem(reason)
    if (problem !== null) throw new AppError('BAD_INPUT', `entries.${index}: ${problem}`, { field: `entries.${index}`, index })
    return { line: index + 1, value, reason }
  })
  const added = await storeEntries(db, actor, list, entries, 'lists.entries.add')
  return { added, alreadyListed: entries.length - added }
}

/** Removes entries of the list by id (ids of other lists are ignored). */
export async function removeListEntries(db: Db, actor: ListActor, input: z.output<typeof ZListRemoveEntriesInput>): Promise<{ removed: number }> {
  const list = await findList(db, actor.orgId, input.listId)
  const ids = input.ids.filter((id) => textProblem(id) === null)
  const removed = await db.$transaction(async (tx) => {
    const rows = await tx.ruleListEntry.findMany({ where: { listId: list.id, id: { in: ids } }, select: { id: true, value: true } })
    if (rows.length === 0) return 0
    const { count } = await tx.ruleListEntry.deleteMany({ where: { listId: list.id, id: { in: rows.map((row) => row.id) } } })
    await tx.ruleList.update({ where: { id: list.id }, data: { updatedAt: new Date() } })
    await recordAudit(tx, actor, {
      action: 'lists.entries.remove',
      entityType: 'RuleList',
      entityId: list.id,
      oldData: { name: list.name, removed: count, values: rows.slice(0, AUDITED_VALUES).map((row) => row.value) },
    })
    return count
  })
  if (removed > 0) invalidateRuleSet(actor.orgId)
  return { removed }
}

/** Imports a CSV of value[,reason] lines: the good lines in one transaction, each bad line reported by number. */
export async function importListCsv(db: Db, actor: ListActor, input: z.output<typeof ZListImportInput>) {
  const list = await findList(db, actor.orgId, input.listId)
  const parsed = await parseListCsv(input.csv, list.field as ListField)
  const imported = parsed.entries.length === 0 ? 0 : await storeEntries(db, actor, list, parsed.entries, 'lists.import', parsed.errors.length)
  return { imported, alreadyListed: parsed.entries.length - imported, errors: parsed.errors }
}

/** Inserts entries in one transaction with its audit row; answers how many were new. */
async function storeEntries(db: Db, actor: ListActor, list: ListRecord, entries: readonly ImportEntry[], action: string, badLines?: number): Promise<number> {
  let added = 0
  try {
    await db.$transaction(
      async (tx) => {
        for (let start = 0; start < entries.length; start += INSERT_CHUNK) {
          const chunk = entries.slice(start, start + INSERT_CHUNK)
          // One statement of two arrays: Prisma's createMany spent ~35 s of query-engine CPU on 150,000 rows.
          added += await tx.$executeRaw`
            INSERT INTO "RuleListEntry" ("id", "listId", "value", "reason", "addedById")
            SELECT gen_random_uuid()::text, ${list.id}, e.value, e.reason, ${actor.actor}
            FROM unnest(${chunk.map((entry) => entry.value)}::text[], ${chunk.map((entry) => entry.reason)}::text[]) AS e(value, reason)
            ON CONFLICT ("listId", "value") DO NOTHING`
        }
        await tx.ruleList.update({ where: { id: list.id }, data: { updatedAt: new Date() } })
        await recordAudit(tx, actor, {
          action,
          entityType: 'RuleList',
          entityId: list.id,
          newData: {
            name: list.name,
            added,
            alreadyListed: entries.length - added,
            ...(badLines === undefined ? {} : { badLines }),
            values: entries.slice(0, AUDITED_VALUES).map((entry) => entry.value),
          },
        })
      },
      { timeout: IMPORT_TIMEOUT_MS },
    )
  } catch (error) {
    // The list was deleted while the entries went in: nothing was stored.
    if (isForeignKeyViolation(error) || isRecordNotFound(error)) {
      throw new AppError('NOT_FOUND', `The list "${list.name}" was deleted meanwhile; nothing was added`, { listId: list.id })
    }
    throw error
  }
  if (added > 0) invalidateRuleSet(actor.orgId)
  return added
}

const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined

/** A foreign key violation however it is wrapped: Prisma's P2003, or the SQLSTATE the pg adapter passes on (raw statements). */
function isForeignKeyViolation(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current != null && depth < 4; current = (current as { cause?: unknown }).cause, depth += 1) {
    const original = (current as { meta?: { driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } } }).meta?.driverAdapterError?.cause
    const found = [errorCode(current), original?.originalCode, original?.kind]
    if (found.some((code) => code === 'P2003' || code === '23503' || code === 'ForeignKeyConstraintViolation')) return true
  }
  return false
}

const isRecordNotFound = (error: unknown): boolean => errorCode(error) === 'P2025'

/**
 * `list("name")` calls in a rule's text (keywords are case-insensitive, spaces allowed
 * around the parentheses). A text scan rather than the parser: it must find the name
 * in a stored rule that no longer checks too. List names hold no quote or backslash.
 */
const LIST_CALL = /\blist\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)/gi

export function listsNamedIn(expression: string): Set<string> {
  return new Set([...expression.matchAll(LIST_CALL)].map((match) => match[1]!.replace(/\\(.)/g, '$1')))
}

/** The drafts and the rules in force (the latest version, else the built-in set) that name the list. */
async function rulesNamingList(db: Prisma.TransactionClient, orgId: string, name: string): Promise<{ drafts: string[]; inForce: string[]; version: number }> {
  const drafts = await db.rule.findMany({ where: { orgId }, orderBy: { name: 'asc' }, select: { name: true, expression: true } })
  const inForce = await loadRuleSetInForce(db, orgId)
  const naming = (rules: readonly { name: string; expression: string }[]) =>
    rules.filter((rule) => listsNamedIn(rule.expression).has(name)).map((rule) => rule.name)
  return { drafts: naming(drafts), inForce: naming(inForce.rules), version: inForce.version }
}
