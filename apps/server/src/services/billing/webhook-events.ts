import { z } from 'zod'
import { MAX_TIME_MS, MIN_TIME_MS, truncateText } from '@anomalyze/shared'
import type { Db, Prisma } from '../../db/prisma.ts'
import type { ServerEnv } from '../../env.ts'
import type { JobQueue } from '../../jobs/job-queue.ts'
import type { FastifyBaseLogger } from 'fastify'
import { recordAudit } from '../audit/record-audit.ts'
import { effectiveEntitlements, entitlementsOfPlan, FREE_ENTITLEMENTS, type Entitlements } from './entitlements.ts'
import { INVOICE_PDF_QUEUE } from './invoice-worker.ts'
import { createInvoiceForCharge } from './invoices.ts'
import { verifyWebhookSignature } from './webhook-signature.ts'
import { storableJson, storableText } from '../../db/storable-text.ts'

export interface WebhookDeps {
  db: Db
  env: ServerEnv
  jobs: JobQueue
  /** The request's logger (carries the request id). */
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>
}

export interface WebhookRequest {
  rawBody: Buffer
  signature: string | undefined
  eventId: string | undefined
}

export interface WebhookReply {
  statusCode: 200 | 400 | 500
  body: { status: 'processed' | 'duplicate' | 'rejected' | 'failed'; message?: string }
}

/**
 * Razorpay's instants are epoch seconds; within the product's time bounds (see
 * validation/time-bounds.ts), so a signed but absurd date is an unreadable event (400,
 * kept for follow-up) rather than a statement Postgres refuses on every redelivery.
 */
const epochSeconds = () =>
  z
    .number()
    .int()
    .min(MIN_TIME_MS / 1000)
    .max(Math.floor(MAX_TIME_MS / 1000))
/** Minor units (paise) as the Invoice's Int column holds them. */
const minorAmount = () => z.number().int().min(0).max(2_147_483_647)
const ZId = z.string().min(1).max(200)

const ZNotes = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).nullish()

const ZEvent = z.object({
  event: z.string().min(1),
  created_at: epochSeconds(),
  payload: z
    .object({
      subscription: z
        .object({
          entity: z.object({
            id: ZId,
            plan_id: ZId.nullish(),
            current_start: epochSeconds().nullish(),
            current_end: epochSeconds().nullish(),
            notes: ZNotes,
          }),
        })
        .optional(),
      payment: z
        .object({
          entity: z.object({
            id: ZId,
            amount: minorAmount(),
            currency: z.string().length(3),
            // Kept as the log's note: cut, never refused (the payment still failed).
            error_description: z
              .string()
              .transform((text) => truncateText(text, 2_000))
              .nullish(),
            subscription_id: ZId.nullish(),
          }),
        })
        .optional(),
    })
    .default({}),
})
type Event = z.infer<typeof ZEvent>

/** The status each subscription event moves to; events not listed change nothing. */
const TARGET_STATUS: Record<string, 'ACTIVE' | 'HALTED' | 'CANCELED'> = {
  'subscription.activated': 'ACTIVE',
  'subscription.charged': 'ACTIVE',
  'subscription.resumed': 'ACTIVE',
  'subscription.halted': 'HALTED',
  'subscription.cancelled': 'CANCELED',
  'subscription.completed': 'CANCELED',
}

/**
 * Receives one Razorpay webhook. The signature is checked first, on the raw bytes and
 * in constant time: an unsigned or mis-signed request is answered 400 and leaves
 * nothing but a log line (no body, nothing in the database), so forged posts cannot
 * fill PaymentLog. A signed one is stored in PaymentLog before anything else, with any
 * text Postgres cannot hold (NUL, unpaired surrogates) replaced by U+FFFD, and a body
 * that is not a readable event is kept as such and answered 400.
 *
 * Exactly once: the event id is unique in PaymentLog; processing locks that row and
 * skips it once processedAt is set, so replays and concurrent duplicates apply once.
 * A failure leaves processedAt empty and answers 500: Razorpay redelivers, we retry.
 *
 * Out of order: Subscription.lastEventAt holds created_at of the newest event
 * applied. An older event is stored and acknowledged but never moves the status (a
 * late "activated" cannot undo a "halted"); a charge still gets its invoice, since
 * the money moved. CANCELED is final for a Razorpay subscription.
 */
export async function receiveRazorpayWebhook(deps: WebhookDeps, request: WebhookRequest): Promise<WebhookReply> {
  const { db, log } = deps
  if (!verifyWebhookSignature(request.rawBody, request.signature, deps.env.RAZORPAY_WEBHOOK_SECRET)) {
    log.warn(
      { claimedEventId: request.eventId?.slice(0, 100), bytes: request.rawBody.length, hasSignature: request.signature !== undefined },
      'razorpay webhook refused: bad or missing X-Razorpay-Signature (nothing stored)',
    )
    return { statusCode: 400, body: { status: 'rejected', message: 'Invalid X-Razorpay-Signature' } }
  }
  const text = storableText(request.rawBody.toString('utf8'))
  let json: unknown = null
  try {
    json = storableJson(JSON.parse(text))
  } catch {
    json = null
  }
  const stored: Prisma.InputJsonValue = json !== null && typeof json === 'object' ? (json as Prisma.InputJsonObject) : { unparsable: text.slice(0, 10_000) }
  const claimedType = (json as { event?: unknown } | null)?.event
  const eventType = typeof claimedType === 'string' ? claimedType.slice(0, 200) : 'unknown'
  const parsed = ZEvent.safeParse(json)
  const givenEventId = request.eventId === undefined ? undefined : storableText(request.eventId)
  if (givenEventId === undefined || givenEventId.length > 200 || !parsed.success) {
    const reason =
      givenEventId === undefined || givenEventId.length > 200
        ? 'missing or overlong x-razorpay-event-id header'
        : `unreadable event: ${parsed.error?.issues[0]?.message ?? 'bad JSON'}`
    await db.paymentLog.create({ data: { eventType, payload: stored, signatureValid: true, needsFollowUp: true, error: reason } })
    log.warn({ eventType, reason }, 'razorpay webhook refused')
    return { statusCode: 400, body: { status: 'rejected', message: reason } }
  }
  const eventId = givenEventId
  const event = parsed.data

  try {
    await db.paymentLog.create({ data: { eventId, eventType, payload: stored, signatureValid: true } })
  } catch (error) {
    // A redelivery: the row exists. Processing below decides whether it still needs doing.
    if ((error as { code?: string }).code !== 'P2002') throw error
  }

  let invoiceToRender: string | null = null
  try {
    const outcome = await db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string; processedAt: Date | null }[]>`
        SELECT id, "processedAt" FROM "PaymentLog" WHERE "eventId" = ${eventId} FOR UPDATE`
      const row = locked[0]
      if (!row || row.processedAt !== null) return 'duplicate' as const
      const result = await applyEvent(tx, deps, eventId, event)
      await tx.paymentLog.update({
        where: { id: row.id },
        data: { processedAt: new Date(), orgId: result.orgId, needsFollowUp: result.needsFollowUp, error: result.note },
      })
      invoiceToRender = result.invoiceId
      return 'processed' as const
    })
    if (outcome === 'duplicate') {
      log.info({ eventId, eventType }, 'razorpay webhook already processed')
      return { statusCode: 200, body: { status: 'duplicate' } }
    }
  } catch (error) {
    log.error({ err: error, eventId, eventType }, 'razorpay webhook failed; Razorpay will redeliver')
    await db.paymentLog.update({ where: { eventId }, data: { error: error instanceof Error ? error.message.slice(0, 2_000) : String(error) } })
    return { statusCode: 500, body: { status: 'failed', message: 'Processing failed; it will be retried on redelivery' } }
  }

  if (invoiceToRender !== null) {
    try {
      await deps.jobs.send(INVOICE_PDF_QUEUE, { invoiceId: invoiceToRender }, { singletonKey: invoiceToRender })
    } catch (error) {
      // The invoice row is committed; the sweep or the first download renders it.
      log.error({ err: error, invoiceId: invoiceToRender }, 'could not enqueue the invoice PDF')
    }
  }
  log.info({ eventId, eventType }, 'razorpay webhook processed')
  return { statusCode: 200, body: { status: 'processed' } }
}

interface ApplyResult {
  orgId: string | null
  needsFollowUp: boolean
  note: string | null
  invoiceId: string | null
}

async function applyEvent(tx: Prisma.TransactionClient, deps: WebhookDeps, eventId: string, event: Event): Promise<ApplyResult> {
  const { log, env } = deps
  const subscriptionEntity = event.payload.subscription?.entity
  const payment = event.payload.payment?.entity

  if (!event.event.startsWith('subscription.')) {
    if (event.event === 'payment.failed' && payment) {
      const owner = payment.subscription_id ? await subscriptionOwner(tx, payment.subscription_id) : null
      log.warn({ eventId, paymentId: payment.id, orgId: owner, reason: payment.error_description }, 'razorpay payment failed')
      return { orgId: owner, needsFollowUp: false, note: payment.error_description ?? null, invoiceId: null }
    }
    log.info({ eventId, eventType: event.event }, 'razorpay event stored and ignored')
    return { orgId: null, needsFollowUp: false, note: null, invoiceId: null }
  }
  if (!subscriptionEntity) {
    return { orgId: null, needsFollowUp: true, note: 'subscription event without a subscription entity', invoiceId: null }
  }
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Subscription" WHERE "razorpaySubscriptionId" = ${subscriptionEntity.id} FOR UPDATE`
  const subscription = locked[0] ? await tx.subscription.findUnique({ where: { id: locked[0].id }, include: { plan: true } }) : null
  if (!subscription) {
    log.warn({ eventId, razorpaySubscriptionId: subscriptionEntity.id }, 'razorpay event for an unknown subscription: needs follow-up')
    return { orgId: null, needsFollowUp: true, note: `unknown subscription ${subscriptionEntity.id}`, invoiceId: null }
  }

  const eventAt = new Date(event.created_at * 1000)
  const eventPlan = subscriptionEntity.plan_id ? await tx.plan.findUnique({ where: { razorpayPlanId: subscriptionEntity.plan_id } }) : null
  const plan = eventPlan ?? subscription.plan
  const periodStart = subscriptionEntity.current_start ? new Date(subscriptionEntity.current_start * 1000) : null
  const periodEnd = subscriptionEntity.current_end ? new Date(subscriptionEntity.current_end * 1000) : null

  let invoiceId: string | null = null
  if (event.event === 'subscription.charged' && payment) {
    const notes = notesOf(subscriptionEntity.notes)
    const invoice = await createInvoiceForCharge(tx, env, {
      orgId: subscription.orgId,
      subscriptionId: subscription.id,
      paymentId: payment.id,
      amountMinor: payment.amount,
      currency: payment.currency,
      planName: plan.name,
      periodStart,
      periodEnd,
      buyerGstin: notes.gstin ?? null,
      buyerName: notes.billingName ?? null,
    })
    if (invoice.created) invoiceId = invoice.id
  }

  const target = TARGET_STATUS[event.event]
  const stale = subscription.lastEventAt !== null && eventAt < subscription.lastEventAt
  if (target === undefined || stale || subscription.status === 'CANCELED') {
    const note = target === undefined ? null : stale ? 'older than the last event applied: status kept' : 'subscription already canceled: status kept'
    if (note) log.info({ eventId, eventType: event.event, subscriptionId: subscription.id }, note)
    return { orgId: subscription.orgId, needsFollowUp: false, note, invoiceId }
  }

  const before = effectiveEntitlements(subscription.features, eventAt)
  let features: Entitlements
  if (target === 'ACTIVE') features = entitlementsOfPlan(plan)
  else if (target === 'HALTED') features = { ...entitlementsOfPlan(plan), graceUntil: eventAt.getTime() + env.BILLING_GRACE_DAYS * 86_400_000 }
  else features = FREE_ENTITLEMENTS

  await tx.subscription.update({
    where: { id: subscription.id },
    data: {
      status: target,
      planId: plan.id,
      features,
      lastEventAt: eventAt,
      ...(periodStart ? { currentPeriodStart: periodStart } : {}),
      ...(periodEnd ? { currentPeriodEnd: periodEnd } : {}),
      haltedAt: target === 'HALTED' ? eventAt : null,
      ...(target === 'CANCELED' ? { canceledAt: eventAt, cancelAtPeriodEnd: false, pendingPlanId: null } : {}),
      ...(subscription.pendingPlanId === plan.id ? { pendingPlanId: null } : {}),
    },
  })
  const system = { orgId: subscription.orgId, actor: 'system' }
  if (subscription.status !== target) {
    await recordAudit(tx, system, {
      action: 'billing.status_change',
      entityType: 'Subscription',
      entityId: subscription.id,
      oldData: { status: subscription.status },
      newData: { status: target, event: event.event, eventId, ...(features.graceUntil ? { graceUntil: new Date(features.graceUntil).toISOString() } : {}) },
    })
  }
  if (before.planId !== features.planId) {
    await recordAudit(tx, system, {
      action: 'billing.plan_change',
      entityType: 'Subscription',
      entityId: subscription.id,
      oldData: { planId: before.planId },
      newData: { planId: features.planId, event: event.event, eventId },
    })
  }
  log.info(
    { eventId, eventType: event.event, orgId: subscription.orgId, from: subscription.status, to: target, planId: features.planId },
    'subscription updated',
  )
  return { orgId: subscription.orgId, needsFollowUp: false, note: null, invoiceId }
}

async function subscriptionOwner(tx: Prisma.TransactionClient, razorpaySubscriptionId: string): Promise<string | null> {
  const row = await tx.subscription.findUnique({ where: { razorpaySubscriptionId }, select: { orgId: true } })
  return row?.orgId ?? null
}

/** Notes are a key-value object (Razorpay sends [] when there are none). */
function notesOf(notes: unknown): { gstin?: string; billingName?: string } {
  if (notes === null || typeof notes !== 'object' || Array.isArray(notes)) return {}
  const record = notes as Record<string, unknown>
  return {
    ...(typeof record.gstin === 'string' && record.gstin !== '' ? { gstin: record.gstin } : {}),
    ...(typeof record.billingName === 'string' && record.billingName !== '' ? { billingName: record.billingName } : {}),
  }
}
