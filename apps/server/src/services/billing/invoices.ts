import { z } from 'zod'
import { AppError } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import type { ServerEnv } from '../../env.ts'
import type { ObjectStore } from '../../storage/object-store.ts'
import { splitInclusiveGst } from './gst.ts'
import { renderInvoicePdf, type InvoiceView } from './invoice-pdf.ts'
import { orgContactEmail } from '../contacts/org-contact.ts'

/** What the webhook knows about a charge. */
export interface Charge {
  orgId: string
  subscriptionId: string
  paymentId: string
  amountMinor: number
  currency: string
  planName: string
  periodStart: Date | null
  periodEnd: Date | null
  buyerGstin: string | null
  buyerName: string | null
}

const ZTaxDetails = z.object({
  mode: z.enum(['cgst_sgst', 'igst']),
  ratePercent: z.number(),
  taxableMinor: z.number().int(),
  lines: z.array(z.object({ name: z.enum(['CGST', 'SGST', 'IGST']), ratePercent: z.number(), amountMinor: z.number().int() })),
  seller: z.object({ name: z.string(), address: z.string(), gstin: z.string().nullable() }),
  buyerName: z.string().nullable(),
})

const ZLineItems = z.array(z.object({ description: z.string(), quantity: z.number(), unitMinor: z.number().int(), amountMinor: z.number().int() }))

/**
 * Writes the Invoice row for a charge, in the webhook's transaction: once per
 * Razorpay payment (razorpayPaymentId is unique). Numbers run per calendar year
 * (ANZ-2026-000001); an advisory lock on the year serialises concurrent charges so
 * the sequence has no gaps or duplicates. The PDF is rendered afterwards (job).
 */
export async function createInvoiceForCharge(
  tx: Prisma.TransactionClient,
  env: ServerEnv,
  charge: Charge,
  now = new Date(),
): Promise<{ id: string; created: boolean }> {
  const existing = await tx.invoice.findUnique({ where: { razorpayPaymentId: charge.paymentId }, select: { id: true } })
  if (existing) return { id: existing.id, created: false }
  const year = now.getUTCFullYear()
  const prefix = `ANZ-${year}-`
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`invoice-number-${year}`}))`
  const issuedThisYear = await tx.invoice.count({ where: { number: { startsWith: prefix } } })
  const number = `${prefix}${String(issuedThisYear + 1).padStart(6, '0')}`

  const tax = splitInclusiveGst({
    totalMinor: charge.amountMinor,
    ratePercent: env.BILLING_GST_PERCENT,
    defaultMode: env.BILLING_TAX_MODE,
    sellerGstin: env.BILLING_SELLER_GSTIN,
    buyerGstin: charge.buyerGstin,
  })
  const period = charge.periodStart && charge.periodEnd ? `, ${day(charge.periodStart)} to ${day(charge.periodEnd)}` : ''
  const lineItems = [
    { description: `Anomalyze ${charge.planName} plan subscription${period}`, quantity: 1, unitMinor: tax.taxableMinor, amountMinor: tax.taxableMinor },
  ]
  const taxDetails: z.infer<typeof ZTaxDetails> = {
    mode: tax.mode,
    ratePercent: tax.ratePercent,
    taxableMinor: tax.taxableMinor,
    lines: tax.lines,
    seller: { name: env.BILLING_SELLER_NAME, address: env.BILLING_SELLER_ADDRESS, gstin: env.BILLING_SELLER_GSTIN ?? null },
    buyerName: charge.buyerName,
  }
  const invoice = await tx.invoice.create({
    data: {
      orgId: charge.orgId,
      subscriptionId: charge.subscriptionId,
      number,
      amountMinor: charge.amountMinor,
      taxMinor: tax.taxMinor,
      currency: charge.currency,
      status: 'PENDING',
      razorpayPaymentId: charge.paymentId,
      lineItems,
      gstin: charge.buyerGstin,
      taxDetails,
      periodStart: charge.periodStart,
      periodEnd: charge.periodEnd,
      issuedAt: now,
    },
    select: { id: true },
  })
  return { id: invoice.id, created: true }
}

const day = (date: Date): string => date.toISOString().slice(0, 10)

export const pdfKeyOf = (orgId: string, number: string): string => `users/${orgId}/invoices/${number}.pdf`

/**
 * Renders the invoice's PDF into object storage and points `pdfUrl` at it.
 * Idempotent: a retry after a failed render or upload simply does it again, and the
 * store's atomic put never exposes half a file.
 */
export async function generateInvoicePdf(db: Db, storage: ObjectStore, invoiceId: string): Promise<string> {
  const invoice = await db.invoice.findUnique({
    where: { id: invoiceId },
    include: {
      org: { select: { name: true } },
    },
  })
  if (!invoice) throw new AppError('NOT_FOUND', `No invoice with id ${invoiceId}`)
  if (invoice.pdfUrl !== null && (await storage.head(invoice.pdfUrl)) !== null) return invoice.pdfUrl
  const taxDetails = ZTaxDetails.parse(invoice.taxDetails)
  const view: InvoiceView = {
    number: invoice.number,
    issuedAt: invoice.issuedAt,
    currency: invoice.currency,
    seller: taxDetails.seller,
    buyer: { name: taxDetails.buyerName ?? invoice.org.name, email: await orgContactEmail(db, invoice.orgId), gstin: invoice.gstin },
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
    lineItems: ZLineItems.parse(invoice.lineItems),
    taxableMinor: taxDetails.taxableMinor,
    taxLines: taxDetails.lines,
    totalMinor: invoice.amountMinor,
    paymentId: invoice.razorpayPaymentId,
  }
  const pdf = await renderInvoicePdf(view)
  const key = pdfKeyOf(invoice.orgId, invoice.number)
  await storage.put(key, pdf, { contentType: 'application/pdf' })
  await db.invoice.update({ where: { id: invoice.id }, data: { pdfUrl: key, status: 'GENERATED' } })
  return key
}

export async function listInvoices(db: Db, orgId: string) {
  const invoices = await db.invoice.findMany({ where: { orgId }, orderBy: { issuedAt: 'desc' }, take: 120 })
  return invoices.map((invoice) => ({
    id: invoice.id,
    number: invoice.number,
    amountMinor: invoice.amountMinor,
    taxMinor: invoice.taxMinor,
    currency: invoice.currency,
    status: invoice.status,
    gstin: invoice.gstin,
    issuedAt: invoice.issuedAt.getTime(),
    periodStart: invoice.periodStart?.getTime() ?? null,
    periodEnd: invoice.periodEnd?.getTime() ?? null,
  }))
}

const LINK_SECONDS = 300

/** A 5-minute download link; renders the PDF first when its job has not yet run. */
export async function invoiceDownloadUrl(db: Db, storage: ObjectStore, orgId: string, invoiceId: string): Promise<{ url: string; expiresAt: number }> {
  const invoice = await db.invoice.findFirst({ where: { id: invoiceId, orgId }, select: { id: true, number: true, pdfUrl: true } })
  if (!invoice) throw new AppError('NOT_FOUND', `No invoice with id ${invoiceId}`)
  const key = invoice.pdfUrl ?? (await generateInvoicePdf(db, storage, invoice.id))
  const url = await storage.downloadUrl(key, { expiresInSeconds: LINK_SECONDS, fileName: `${invoice.number}.pdf` })
  return { url, expiresAt: Date.now() + LINK_SECONDS * 1000 }
}
