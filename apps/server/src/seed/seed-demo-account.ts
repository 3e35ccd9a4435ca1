import { type TTransaction } from '@anomalyze/shared'
import { generateTransactions, type GeneratorOptions } from '@anomalyze/shared/engine'
import type { Db } from '../db/prisma.ts'
import { ingestTransactions } from '../services/ingestion/ingest-transactions.ts'
import type { ModelRegistry } from '../services/models/model-registry.ts'
import type { Logger } from '../logger.ts'
import { grantPlan } from '../services/billing/grant-plan.ts'
import { seedPlans } from '../services/billing/plans.ts'
import { ensurePersonalWorkspace } from '../services/organizations/workspaces.ts'

export interface DemoSeedResult {
  created: boolean
  transactions: number
  anomalies: number
}

const BATCH = 1_000

/**
 * The demo workspace's two analysts beside its admin, so that a newcomer sees a team
 * from `npm start` (tokens for them: `pnpm anomalyze-server users token <id>`).
 */
export const DEMO_TEAMMATES = [
  { id: 'local_demo_priya', name: 'Priya Sharma', email: 'priya.sharma@demo.anomalyze.test' },
  { id: 'local_demo_arjun', name: 'Arjun Mehta', email: 'arjun.mehta@demo.anomalyze.test' },
] as const

/**
 * Gives an account realistic data to look at: a month of generated card
 * transactions (see generateTransactions) on the Pro plan, and a team of three (the
 * admin and DEMO_TEAMMATES). Adds no transactions when the
 * account already has transactions, so it is safe to run at every start.
 */
export async function seedDemoAccount(
  db: Db,
  models: ModelRegistry,
  log: Logger,
  user: { id: string; name: string; email?: string },
  options: GeneratorOptions = { seed: 2026, customers: 300, terminals: 600, days: 30, noisyMerchants: 6 },
): Promise<DemoSeedResult> {
  await seedPlans(db)
  await ensurePersonalWorkspace(db, user)
  // The local admin's workspace holds the team: named for it rather than for its admin
  // (a name an admin chose later stays).
  await db.organization.updateMany({ where: { id: user.id, name: user.name }, data: { name: 'Local workspace', personal: false } })
  for (const teammate of DEMO_TEAMMATES) {
    await db.user.upsert({ where: { id: teammate.id }, create: teammate, update: {} })
    await db.membership.upsert({
      where: { orgId_userId: { orgId: user.id, userId: teammate.id } },
      create: { orgId: user.id, userId: teammate.id, role: 'ANALYST' },
      // An admin's later change (role, removal) stands.
      update: {},
    })
  }
  // The demo month (~17,700 transactions) exceeds the free quota: the local analyst
  // gets Pro, unpaid, with its entitlements cached (see billing/grant-plan.ts).
  await grantPlan(db, user.id, 'pro')
  if ((await db.transaction.count({ where: { orgId: user.id } })) > 0) return { created: false, transactions: 0, anomalies: 0 }

  // Through the real ingestion path, so the demo queue holds what detection found.
  let batch: TTransaction[] = []
  let total = 0
  let anomalies = 0
  const flush = async (): Promise<void> => {
    const result = await ingestTransactions(db, models, user.id, batch, { source: 'BATCH_CSV' })
    total += result.accepted
    anomalies += result.anomalies.length
    batch = []
  }
  for (const { transaction } of generateTransactions(options)) {
    batch.push(transaction)
    if (batch.length === BATCH) await flush()
  }
  if (batch.length > 0) await flush()
  log.info({ orgId: user.id, transactions: total, anomalies }, 'demo account seeded')
  return { created: true, transactions: total, anomalies }
}
