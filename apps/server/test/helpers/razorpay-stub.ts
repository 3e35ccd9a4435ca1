import { createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Db } from '../../src/db/prisma.ts'

/**
 * A local stand-in for api.razorpay.com speaking the REST calls billing makes
 * (plans, subscriptions: create, fetch, update, cancel) with Basic auth checked, in
 * Razorpay's JSON shapes and error envelope. The real SDK talks to it through
 * RAZORPAY_API_BASE_URL.
 */
export interface StubPlan {
  id: string
  period: string
  interval: number
  item: { name: string; amount: number; currency: string }
  notes: Record<string, string>
}

export interface StubSubscription {
  id: string
  entity: 'subscription'
  plan_id: string
  status: string
  total_count: number
  short_url: string
  notes: Record<string, string>
  current_start: number | null
  current_end: number | null
  ended_at: number | null
  created_at: number
  /** The stub's record of a scheduled change / cancellation (not in Razorpay's shape). */
  scheduled: { plan_id?: string; cancel_at_cycle_end?: boolean }
}

export interface RazorpayStub {
  url: string
  keyId: string
  keySecret: string
  plans: Map<string, StubPlan>
  subscriptions: Map<string, StubSubscription>
  requests: { method: string; path: string; body: unknown }[]
  close(): Promise<void>
}

export async function startRazorpayStub(keyId = 'rzp_test_stub', keySecret = 'stub_secret_123'): Promise<RazorpayStub> {
  const plans = new Map<string, StubPlan>()
  const subscriptions = new Map<string, StubSubscription>()
  const requests: RazorpayStub['requests'] = []
  const expectedAuth = `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`
  let baseUrl = ''
  const id = (prefix: string): string => `${prefix}_${randomBytes(7).toString('hex')}`

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>)
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    requests.push({ method: req.method ?? 'GET', path, body })
    const send = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload))
    }
    const fail = (status: number, code: string, description: string): void =>
      send(status, { error: { code, description, source: 'business', step: 'payment_initiation', reason: 'input_validation_failed' } })

    // The hosted checkout page a short URL leads to (on loopback, unlike rzp.io).
    if (req.method === 'GET' && path.startsWith('/checkout/')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Razorpay checkout (stub)</title><p>Pay here</p>')
      return
    }
    if (req.headers.authorization !== expectedAuth) return fail(401, 'BAD_REQUEST_ERROR', 'Authentication failed')

    if (req.method === 'POST' && path === '/v1/plans') {
      const item = body.item as StubPlan['item'] | undefined
      if (item === undefined || !Number.isInteger(item.amount) || item.amount < 100) {
        return fail(400, 'BAD_REQUEST_ERROR', 'The amount must be at least INR 1.00.')
      }
      const plan: StubPlan = {
        id: id('plan'),
        period: String(body.period),
        interval: Number(body.interval),
        item,
        notes: (body.notes ?? {}) as Record<string, string>,
      }
      plans.set(plan.id, plan)
      return send(200, { ...plan, entity: 'plan' })
    }
    if (req.method === 'POST' && path === '/v1/subscriptions') {
      const planId = String(body.plan_id)
      if (!plans.has(planId)) return fail(400, 'BAD_REQUEST_ERROR', 'The id provided does not exist')
      const subscriptionId = id('sub')
      const subscription: StubSubscription = {
        id: subscriptionId,
        entity: 'subscription',
        plan_id: planId,
        status: 'created',
        total_count: Number(body.total_count),
        short_url: `${baseUrl}/checkout/${subscriptionId}`,
        notes: (body.notes ?? {}) as Record<string, string>,
        current_start: null,
        current_end: null,
        ended_at: null,
        created_at: Math.floor(Date.now() / 1000),
        scheduled: {},
      }
      subscriptions.set(subscriptionId, subscription)
      return send(200, publicView(subscription))
    }
    const match = /^\/v1\/subscriptions\/(sub_[\w]+)(\/cancel)?$/.exec(path)
    const subscription = match ? subscriptions.get(match[1] ?? '') : undefined
    if (match && subscription === undefined) return fail(400, 'BAD_REQUEST_ERROR', 'The id provided does not exist')
    if (subscription !== undefined && match?.[2] === '/cancel' && req.method === 'POST') {
      if (subscription.status === 'cancelled') return fail(400, 'BAD_REQUEST_ERROR', 'Subscription is not cancellable in cancelled status.')
      if (body.cancel_at_cycle_end === 1) subscription.scheduled.cancel_at_cycle_end = true
      else {
        subscription.status = 'cancelled'
        subscription.ended_at = Math.floor(Date.now() / 1000)
      }
      return send(200, publicView(subscription))
    }
    if (subscription !== undefined && req.method === 'PATCH') {
      const planId = String(body.plan_id)
      if (!plans.has(planId)) return fail(400, 'BAD_REQUEST_ERROR', 'The id provided does not exist')
      if (subscription.status !== 'active' && subscription.status !== 'authenticated') {
        return fail(400, 'BAD_REQUEST_ERROR', `Subscription can not be updated in ${subscription.status} state`)
      }
      if (body.schedule_change_at === 'cycle_end') subscription.scheduled.plan_id = planId
      else subscription.plan_id = planId
      return send(200, publicView(subscription))
    }
    if (subscription !== undefined && req.method === 'GET') return send(200, publicView(subscription))
    return fail(404, 'BAD_REQUEST_ERROR', 'The requested URL was not found on the server.')
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  baseUrl = `http://127.0.0.1:${port}`
  return {
    url: baseUrl,
    keyId,
    keySecret,
    plans,
    subscriptions,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  }
}

function publicView(subscription: StubSubscription): Omit<StubSubscription, 'scheduled'> & { has_scheduled_changes: boolean } {
  const { scheduled, ...rest } = subscription
  return { ...rest, has_scheduled_changes: scheduled.plan_id !== undefined }
}

/** What Razorpay sends: `X-Razorpay-Signature` = hex HMAC-SHA256 of the raw body. */
export function signWebhook(rawBody: string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex')
}

/** A webhook body in Razorpay's envelope. */
export function webhookEvent(
  event: string,
  createdAt: number,
  payload: { subscription?: Partial<StubSubscription> & { id: string }; payment?: Record<string, unknown> },
): string {
  const wrapped: Record<string, unknown> = {}
  if (payload.subscription) wrapped.subscription = { entity: { entity: 'subscription', ...payload.subscription } }
  if (payload.payment) wrapped.payment = { entity: { entity: 'payment', ...payload.payment } }
  return JSON.stringify({
    entity: 'event',
    account_id: 'acc_stub',
    event,
    contains: Object.keys(wrapped),
    payload: wrapped,
    created_at: createdAt,
  })
}

/** A paid, active subscription with one invoice and its audit row, written directly (for access tests). */
export async function createPaidSubscriptionFixture(db: Db, orgId: string, invoiceId: string): Promise<void> {
  const features = {
    planId: 'pro',
    planName: 'Pro',
    monthlyTxQuota: 1_000_000,
    maxApiKeys: 10,
    retentionDays: 365,
    rateLimitPerMinute: 3_000,
    features: { voice_alerts: true },
  }
  await db.plan.upsert({
    where: { id: 'pro' },
    create: { id: 'pro', name: 'Pro', priceMinor: 4_999_00, monthlyTxQuota: 1_000_000, maxApiKeys: 10, retentionDays: 365, features: features.features },
    update: {},
  })
  const subscription = await db.subscription.create({
    data: { orgId, planId: 'pro', status: 'ACTIVE', razorpaySubscriptionId: `sub_${orgId}`, features },
  })
  await db.invoice.create({
    data: {
      id: invoiceId,
      orgId,
      subscriptionId: subscription.id,
      number: `ANZ-FIXTURE-${orgId}`,
      amountMinor: 4_999_00,
      taxMinor: 76_256,
      lineItems: [{ description: 'Anomalyze Pro plan subscription', quantity: 1, unitMinor: 423_644, amountMinor: 423_644 }],
      taxDetails: {
        mode: 'igst',
        ratePercent: 18,
        taxableMinor: 423_644,
        lines: [{ name: 'IGST', ratePercent: 18, amountMinor: 76_256 }],
        seller: { name: 'Seller', address: 'Somewhere', gstin: null },
        buyerName: null,
      },
    },
  })
  await db.auditLog.create({
    data: { orgId, actor: orgId, action: 'billing.subscribe', entityType: 'Subscription', entityId: subscription.id, newData: { planId: 'pro' } },
  })
}
