import type { TRPCRouterRecord } from '@trpc/server'
import { z } from 'zod'
import { billingOverview } from '../../services/billing/billing-overview.ts'
import { invoiceDownloadUrl, listInvoices } from '../../services/billing/invoices.ts'
import { cancel, changePlan, subscribe, ZCancelInput, ZChangePlanInput, ZSubscribeInput } from '../../services/billing/manage-subscription.ts'
import { userProcedure } from '../init.ts'
import { ZRowId } from '../inputs.ts'

export const billingRouter = {
  overview: userProcedure.query(({ ctx }) => billingOverview(ctx.db, ctx.services.env, ctx.userId)),
  /** Starts a Razorpay subscription; the console opens the returned short URL to pay. */
  subscribe: userProcedure.input(ZSubscribeInput).mutation(({ ctx, input }) => subscribe(ctx.db, ctx.services.billing, ctx.actor, input)),
  /** Upgrades now, downgrades at period end (see manage-subscription.ts). */
  changePlan: userProcedure.input(ZChangePlanInput).mutation(({ ctx, input }) => changePlan(ctx.db, ctx.services.billing, ctx.actor, input)),
  cancel: userProcedure.input(ZCancelInput).mutation(({ ctx, input }) => cancel(ctx.db, ctx.services.billing, ctx.actor, input)),
  invoices: userProcedure.query(({ ctx }) => listInvoices(ctx.db, ctx.userId)),
  /** A time-limited link to the invoice PDF. */
  invoiceDownload: userProcedure
    .input(z.object({ id: ZRowId }))
    .mutation(({ ctx, input }) => invoiceDownloadUrl(ctx.db, ctx.services.storage, ctx.userId, input.id)),
} satisfies TRPCRouterRecord
