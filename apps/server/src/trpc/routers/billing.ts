import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { billingOverview } from '../../services/billing/billing-overview.ts'
import { invoiceDownloadUrl, listInvoices } from '../../services/billing/invoices.ts'
import { cancel, changePlan, subscribe, ZCancelInput, ZChangePlanInput, ZSubscribeInput } from '../../services/billing/manage-subscription.ts'
import { allowed } from '../init.ts'
import { ZRowId } from '../inputs.ts'

export const billingRouter = {
  overview: allowed('billing:read').query(({ ctx }) => billingOverview(ctx.db, ctx.services.env, ctx.orgId)),
  /** Starts a Razorpay subscription; the console opens the returned short URL to pay. */
  subscribe: allowed('billing:manage')
    .input(ZSubscribeInput)
    .mutation(({ ctx, input }) => subscribe(ctx.db, ctx.services.billing, ctx.actor, input)),
  /** Upgrades now, downgrades at period end (see manage-subscription.ts). */
  changePlan: allowed('billing:manage')
    .input(ZChangePlanInput)
    .mutation(({ ctx, input }) => changePlan(ctx.db, ctx.services.billing, ctx.actor, input)),
  cancel: allowed('billing:manage')
    .input(ZCancelInput)
    .mutation(({ ctx, input }) => cancel(ctx.db, ctx.services.billing, ctx.actor, input)),
  invoices: allowed('billing:read').query(({ ctx }) => listInvoices(ctx.db, ctx.orgId)),
  /** A time-limited link to the invoice PDF. */
  invoiceDownload: allowed('billing:read')
    .input(z.object({ id: ZRowId }))
    .mutation(({ ctx, input }) => invoiceDownloadUrl(ctx.db, ctx.services.storage, ctx.orgId, input.id)),
} satisfies TRPCRouterRecord
