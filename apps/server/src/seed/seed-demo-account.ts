import { generateTransactions, type GeneratorOptions } from '@anomalyze/shared'
import type { Db, Prisma } from '../db/prisma.ts'
import type { Logger } from '../logger.ts'
import { seedPlans } from './plans.ts'

export interface DemoSeedResult {
  created: boolean
  transactions: number
}

const BATCH = 2_000

/**
 * Gives an account realistic data to look at: a month of generated card
 * transactions (see generateTransactions) on the free plan. Does nothing when the
 * account already has transactions, so it is safe to run at every start.
 */
export async function seedDemoAccount(
  db: Db,
  log: Logger,
  user: { id: string; name: string; email?: string },
  options: GeneratorOptions = { seed: 2026, customers: 300, terminals: 600, days: 30, noisyMerchants: 6 },
): Promise<DemoSeedResult> {
  await seedPlans(db)
  await db.user.upsert({
    where: { id: user.id },
    create: { id: user.id, name: user.name, email: user.email ?? null },
    update: {},
  })
  await db.subscription.upsert({
    where: { userId: user.id },
    create: { userId: user.id, planId: 'free', status: 'ACTIVE', features: await planFeatures(db, 'free') },
    update: {},
  })
  if ((await db.transaction.count({ where: { userId: user.id } })) > 0) return { created: false, transactions: 0 }

  let rows: Prisma.TransactionCreateManyInput[] = []
  let total = 0
  for (const { transaction: tx } of generateTransactions(options)) {
    rows.push({
      userId: user.id,
      txId: tx.txId,
      timestamp: new Date(tx.timestamp),
      amount: tx.amount,
      currency: tx.currency,
      accountId: tx.accountId,
      merchantId: tx.merchantId,
      category: tx.category ?? null,
      country: tx.country ?? null,
      channel: tx.channel ?? null,
      latitude: tx.latitude ?? null,
      longitude: tx.longitude ?? null,
      source: 'BATCH_CSV',
    })
    if (rows.length === BATCH) {
      total += (await db.transaction.createMany({ data: rows, skipDuplicates: true })).count
      rows = []
    }
  }
  if (rows.length > 0) total += (await db.transaction.createMany({ data: rows, skipDuplicates: true })).count
  log.info({ userId: user.id, transactions: total }, 'demo account seeded')
  return { created: true, transactions: total }
}

async function planFeatures(db: Db, planId: string) {
  const plan = await db.plan.findUniqueOrThrow({ where: { id: planId }, select: { features: true } })
  return plan.features ?? {}
}
