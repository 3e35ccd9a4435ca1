import { randomUUID } from 'node:crypto'
import type { Db } from '../../src/db/prisma.ts'
import { grantPlan } from '../../src/services/billing/grant-plan.ts'
import type { ObjectStore } from '../../src/storage/object-store.ts'

/** The organisation whose rows the access matrix (test/access-matrix.test.ts) aims at, and what it owns. */
export interface AccessOrganization {
  orgId: string
  accountId: string
  phone: string
  /** An audit action only this organisation has (for the audit lists' "sees the rows" check). */
  auditAction: string
  transactionIds: string[]
  anomalyIds: string[]
  batchJobId: string
  reportId: string
  modelId: string
  trainingJobId: string
  invoiceId: string
}

/**
 * An organisation on the Business plan (seats for the matrix's members, room for its
 * API keys) with a few rows of every kind, written directly: the matrix tests access,
 * not how these rows come about. Its completed report's file is in `storage`, so a
 * download link for it leads somewhere.
 */
export async function createAccessOrganization(db: Db, storage: ObjectStore, orgId: string): Promise<AccessOrganization> {
  const accountId = `${orgId}-acct`
  await db.organization.create({ data: { id: orgId, name: 'Acme Payments' } })
  await grantPlan(db, orgId, 'business')
  const transactionIds: string[] = []
  const anomalyIds: string[] = []
  for (let i = 0; i < 3; i += 1) {
    const transaction = await db.transaction.create({
      data: {
        orgId,
        txId: `${orgId}-tx-${i}`,
        timestamp: new Date(Date.UTC(2026, 0, 1 + i, 12)),
        amount: 100 + i,
        currency: 'INR',
        accountId,
        merchantId: `M${i}`,
        source: 'REALTIME_API',
      },
    })
    const anomaly = await db.anomaly.create({
      data: {
        id: randomUUID(),
        orgId,
        transactionId: transaction.id,
        score: 0.9,
        severity: 'HIGH',
        ruleViolations: ['AMOUNT_SPIKE'],
        explanation: `Amount ${100 + i} is far above the account's usual spend`,
      },
    })
    transactionIds.push(transaction.id)
    anomalyIds.push(anomaly.id)
  }
  const batchJob = await db.batchJob.create({
    data: { orgId, fileName: 'acme.csv', r2Key: `orgs/${orgId}/batches/acme.csv`, rowErrorsKey: `orgs/${orgId}/batches/acme-errors.csv`, status: 'COMPLETED' },
  })
  const reportKey = `orgs/${orgId}/reports/anomalies.csv`
  await storage.put(reportKey, 'id,severity\nA-1,HIGH\n', { contentType: 'text/csv' })
  const report = await db.report.create({
    data: { orgId, type: 'ANOMALIES', format: 'CSV', parameters: { filters: {} }, status: 'COMPLETED', progress: 100, fileUrl: reportKey, rowCount: 1 },
  })
  const model = await db.modelArtifact.create({
    data: { orgId, version: '1.0.0', s3Path: `orgs/${orgId}/models/1.0.0/model.onnx`, sha256: '0'.repeat(64), manifest: {}, metrics: {} },
  })
  const trainingJob = await db.trainingJob.create({ data: { orgId, trigger: 'MANUAL', status: 'FAILED', failureReason: 'too few labels' } })
  const subscription = await db.subscription.findUniqueOrThrow({ where: { orgId } })
  const invoicePdf = `orgs/${orgId}/invoices/INV-ACME-1.pdf`
  await storage.put(invoicePdf, '%PDF-1.4 acme', { contentType: 'application/pdf' })
  const invoice = await db.invoice.create({
    data: { orgId, subscriptionId: subscription.id, number: `INV-${orgId}-1`, amountMinor: 2_499_900, status: 'GENERATED', pdfUrl: invoicePdf },
  })
  const phone = '+919811111111'
  await db.notificationSettings.create({ data: { orgId, email: 'alerts@acme.example', phone, smsEnabled: true } })
  const auditAction = 'fixture.acme_only'
  await db.auditLog.create({ data: { orgId, actor: 'system', action: auditAction, entityType: 'Organization', entityId: orgId } })
  return {
    orgId,
    accountId,
    phone,
    auditAction,
    transactionIds,
    anomalyIds,
    batchJobId: batchJob.id,
    reportId: report.id,
    modelId: model.id,
    trainingJobId: trainingJob.id,
    invoiceId: invoice.id,
  }
}
