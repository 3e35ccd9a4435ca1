import { defineQueue } from '../../jobs/job-queue.ts'
import type { WorkerDeps } from '../service-deps.ts'
import { generateInvoicePdf } from './invoices.ts'

/** One job per invoice; a failed render or upload is retried with backoff. */
export const INVOICE_PDF_QUEUE = defineQueue<{ invoiceId: string }>('billing-invoice-pdf', {
  retryLimit: 6,
  retryDelay: 5,
  retryBackoff: true,
  expireInSeconds: 120,
})

/** Re-enqueues invoices whose PDF is still missing (an enqueue lost to a crash, retries exhausted). */
export const INVOICE_SWEEP_QUEUE = defineQueue<Record<string, never>>('billing-invoice-sweep', { retryLimit: 1, expireInSeconds: 120 })

const SWEEP_AFTER_MS = 10 * 60_000

export async function registerBillingWorkers(deps: WorkerDeps): Promise<void> {
  const log = deps.log.child({ component: 'billing' })
  await deps.jobs.work(INVOICE_PDF_QUEUE, async (job) => {
    const key = await generateInvoicePdf(deps.db, deps.storage, job.data.invoiceId)
    log.info({ invoiceId: job.data.invoiceId, key }, 'invoice PDF stored')
  })
  await deps.jobs.work(INVOICE_SWEEP_QUEUE, async () => {
    const stale = await deps.db.invoice.findMany({
      where: { pdfUrl: null, issuedAt: { lt: new Date(Date.now() - SWEEP_AFTER_MS) } },
      select: { id: true },
      take: 500,
    })
    for (const invoice of stale) await deps.jobs.send(INVOICE_PDF_QUEUE, { invoiceId: invoice.id }, { singletonKey: invoice.id })
    if (stale.length > 0) log.warn({ count: stale.length }, 'invoice PDFs re-enqueued by the sweep')
  })
  await deps.jobs.schedule(INVOICE_SWEEP_QUEUE, '*/15 * * * *', {})
}
