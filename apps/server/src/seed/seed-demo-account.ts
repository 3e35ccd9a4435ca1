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
 * Gives an account realistic data to look at: a month of generated card
 * transactions (see generateTransactions) on the Pro plan. Does nothing when the
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
