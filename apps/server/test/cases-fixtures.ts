import { randomUUID } from 'node:crypto'
import { expect } from 'vitest'
import type { Db } from '../src/db/prisma.ts'
import type { AppServices } from '../src/services/service-deps.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'
import { callerFor } from './helpers/caller.ts'

/**
 * A team for the case tests: the admin's workspace (organisation id = admin id), two
 * analysts, a viewer and a removed analyst, each with a name the refusals must quote.
 */
export async function createCaseTeam(db: Db, adminId: string, services?: AppServices) {
  await ensurePersonalWorkspace(db, { id: adminId, name: 'Anita Admin' })
  await db.user.update({ where: { id: adminId }, data: { name: 'Anita Admin' } })
  const people = [
    [`${adminId}_priya`, 'Priya Sharma', 'ANALYST', false],
    [`${adminId}_arjun`, 'Arjun Mehta', 'ANALYST', false],
    [`${adminId}_vera`, 'Vera Viewer', 'VIEWER', false],
    [`${adminId}_rita`, 'Rita Removed', 'ANALYST', true],
  ] as const
  for (const [id, name, role, removed] of people) {
    await db.user.create({ data: { id, name } })
    await db.membership.create({ data: { orgId: adminId, userId: id, role, ...(removed ? { removedAt: new Date() } : {}) } })
  }
  const as = (userId: string, name: string, role: 'ADMIN' | 'ANALYST' | 'VIEWER') => callerFor(db, userId, { orgId: adminId, name, role }, services)
  return {
    orgId: adminId,
    ids: { admin: adminId, priya: people[0][0], arjun: people[1][0], vera: people[2][0], rita: people[3][0] },
    admin: () => as(adminId, 'Anita Admin', 'ADMIN'),
    priya: () => as(people[0][0], 'Priya Sharma', 'ANALYST'),
    arjun: () => as(people[1][0], 'Arjun Mehta', 'ANALYST'),
    vera: () => as(people[2][0], 'Vera Viewer', 'VIEWER'),
  }
}

export type CaseTeam = Awaited<ReturnType<typeof createCaseTeam>>

/**
 * Ingests transactions far above anything the account spent (900,000+ on a fresh
 * account): each becomes an alert. The test asserts it, rather than assuming it, so a
 * change in detection fails here with a clear message instead of later.
 */
export async function ingestAlerts(db: Db, orgId: string, items: { accountId: string; merchantId: string; amount?: number }[], services?: AppServices) {
  const base = Date.UTC(2026, 2, 1, 10)
  const transactions = items.map((item, i) => ({
    txId: `case-${randomUUID()}`,
    timestamp: base + i * 60_000,
    amount: item.amount ?? 900_000 + i,
    currency: 'INR',
    accountId: item.accountId,
    merchantId: item.merchantId,
  }))
  const result = await callerFor(db, orgId, {}, services).ingest.transactions({ transactions })
  expect(
    result.anomalies.map((a) => a.txId),
    'every test transaction should be an alert',
  ).toEqual(transactions.map((t) => t.txId))
  return Object.assign(result.anomalies, { assignedCases: result.assignedCases })
}

export const action = <K extends string>(kind: K, caseId: string, extra: Record<string, unknown> = {}, at = Date.now()) => ({
  mutationId: randomUUID(),
  caseId,
  at,
  kind,
  ...extra,
})
