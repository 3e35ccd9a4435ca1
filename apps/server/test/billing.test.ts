import { randomUUID } from 'node:crypto'
import { TRPCError } from '@trpc/server'
import Fastify from 'fastify'
import { PDFParse } from 'pdf-parse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { razorpayWebhookRoutes } from '../src/http/routes/razorpay-webhook.ts'
import { seedPlans } from '../src/services/billing/plans.ts'
import { getEntitlements } from '../src/services/billing/entitlements.ts'
import { registerBillingWorkers } from '../src/services/billing/invoice-worker.ts'
import type { ObjectStore } from '../src/storage/object-store.ts'
import { callerFor } from './helpers/caller.ts'
import { signWebhook, startRazorpayStub, webhookEvent, type RazorpayStub, type StubSubscription } from './helpers/razorpay-stub.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

const WEBHOOK_SECRET = 'whsec_test_0123456789'
const SELLER_GSTIN = '29AAACA1234A1Z5'

describe('billing with Razorpay (real SDK against a local stub)', () => {
  let database: TestDatabase
  let stub: RazorpayStub
  let services: TestServices
  let webhooks: ReturnType<typeof Fastify>
  // Event times (Razorpay's created_at, seconds) near now, advanced by each test.
  let clock = Math.floor(Date.now() / 1000) - 3_600

  beforeAll(async () => {
    database = await createTestDatabase()
    await seedPlans(database.db)
    stub = await startRazorpayStub()
    services = await createTestServices({
      databaseUrl: database.url,
      env: {
        RAZORPAY_KEY_ID: stub.keyId,
        RAZORPAY_KEY_SECRET: stub.keySecret,
        RAZORPAY_API_BASE_URL: stub.url,
        RAZORPAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        BILLING_SELLER_GSTIN: SELLER_GSTIN,
        BILLING_GRACE_DAYS: '3',
      },
    })
    webhooks = Fastify({ loggerInstance: testLogger })
    await webhooks.register(razorpayWebhookRoutes({ db: database.db, env: services.env, jobs: services.jobs, log: testLogger }))
  })
  afterAll(async () => {
    await webhooks.close()
    await services.close()
    await stub.close()
    await database.drop()
  })

  const newUser = async (): Promise<string> => {
    const id = `user_${randomUUID().slice(0, 8)}`
    await ensurePersonalWorkspace(database.db, { id, name: `Buyer ${id}`, email: `${id}@example.com` })
    return id
  }
  const as = (userId: string) => callerFor(database.db, userId, {}, services)

  /** Sends a webhook as Razorpay would: raw JSON, signed, with its event id. */
  const deliver = async (body: string, eventId: string = `evt_${randomUUID()}`, signature: string | null = signWebhook(body, WEBHOOK_SECRET)) => {
    const response = await webhooks.inject({
      method: 'POST',
      url: '/webhooks/razorpay',
      payload: body,
      headers: { 'content-type': 'application/json', 'x-razorpay-event-id': eventId, ...(signature === null ? {} : { 'x-razorpay-signature': signature }) },
    })
    return { status: response.statusCode, body: response.json() as { status: string }, eventId }
  }
  const subscriptionEntity = (subscription: StubSubscription, overrides: Partial<StubSubscription> = {}) => ({
    id: subscription.id,
    plan_id: subscription.plan_id,
    status: subscription.status,
    notes: subscription.notes,
    current_start: clock,
    current_end: clock + 30 * 86_400,
    ...overrides,
  })
  const subscribed = async (userId: string, planId = 'pro', extra: { gstin?: string; billingName?: string } = {}) => {
    const started = await as(userId).billing.subscribe({ planId, ...extra })
    const row = await database.db.subscription.findUniqueOrThrow({ where: { orgId: userId } })
    const remote = stub.subscriptions.get(row.razorpaySubscriptionId ?? '')
    if (!remote) throw new Error('the stub has no such subscription')
    return { started, remote }
  }
  const activate = async (remote: StubSubscription) => {
    remote.status = 'active'
    clock += 10
    return deliver(webhookEvent('subscription.activated', clock, { subscription: subscriptionEntity(remote) }))
  }

  it('subscribes through the SDK: Razorpay plan created once, subscription PENDING with its short URL, entitlements unchanged until paid', async () => {
    const userId = await newUser()
    const { started, remote } = await subscribed(userId)
    expect(started).toMatchObject({ planId: 'pro', status: 'PENDING', shortUrl: remote.short_url })
    expect(remote.notes).toMatchObject({ orgId: userId, planId: 'pro' })
    const plan = await database.db.plan.findUniqueOrThrow({ where: { id: 'pro' } })
    expect(stub.plans.get(plan.razorpayPlanId ?? '')?.item).toEqual({ name: 'Anomalyze Pro', amount: 4_999_00, currency: 'INR' })
    expect((await getEntitlements(database.db, userId)).planId).toBe('free')

    const other = await newUser()
    await subscribed(other)
    expect([...stub.plans.values()].filter((p) => p.notes.planId === 'pro')).toHaveLength(1)
    expect(stub.requests.every((r) => r.path.startsWith('/v1/'))).toBe(true)

    const audit = await database.db.auditLog.findFirstOrThrow({ where: { orgId: userId, action: 'billing.subscribe' } })
    expect(audit.newData).toMatchObject({ planId: 'pro', status: 'PENDING', razorpaySubscriptionId: remote.id })
  })

  it('reports Razorpay refusing bad credentials with the reason, and a bad GSTIN by field', async () => {
    const userId = await newUser()
    const wrongKey = await createTestServices({ env: { RAZORPAY_KEY_ID: stub.keyId, RAZORPAY_KEY_SECRET: 'wrong', RAZORPAY_API_BASE_URL: stub.url } })
    const error = await callerFor(database.db, userId, {}, wrongKey)
      .billing.subscribe({ planId: 'business' })
      .catch((e: unknown) => e)
    await wrongKey.close()
    expect(error).toBeInstanceOf(TRPCError)
    expect((error as TRPCError).message).toMatch(/Razorpay refused .*HTTP 401.*Authentication failed/)
    expect(await database.db.subscription.findUnique({ where: { orgId: userId } })).toBeNull()

    const badGstin = await as(userId)
      .billing.subscribe({ planId: 'pro', gstin: '12345' })
      .catch((e: unknown) => e)
    expect((badGstin as TRPCError).code).toBe('BAD_REQUEST')
    expect(((badGstin as TRPCError).cause as Error).message).toMatch(/GSTIN/)
  })

  it('activates on a signed webhook with the plan entitlements cached; mis-signed ones get 400, store nothing, change nothing', async () => {
    const userId = await newUser()
    const { remote } = await subscribed(userId)
    remote.status = 'active'
    clock += 10
    const body = webhookEvent('subscription.activated', clock, { subscription: subscriptionEntity(remote) })

    const forged = await deliver(body, 'evt_forged_1', signWebhook(body, 'not-the-secret'))
    const unsigned = await deliver(body, 'evt_unsigned_1', null)
    const tampered = await deliver(body.replace('"pro"', '"business"'), 'evt_tampered_1', signWebhook(body, WEBHOOK_SECRET))
    for (const reply of [forged, unsigned, tampered]) expect(reply.status).toBe(400)
    expect(await database.db.paymentLog.count({ where: { OR: [{ signatureValid: false }, { eventType: 'subscription.activated', processedAt: null }] } })).toBe(
      0,
    )
    expect((await database.db.subscription.findUniqueOrThrow({ where: { orgId: userId } })).status).toBe('PENDING')

    const accepted = await deliver(body)
    expect(accepted).toMatchObject({ status: 200, body: { status: 'processed' } })
    const row = await database.db.subscription.findUniqueOrThrow({ where: { orgId: userId } })
    expect(row).toMatchObject({ status: 'ACTIVE', planId: 'pro', lastEventAt: new Date(clock * 1000) })
    expect(await getEntitlements(database.db, userId)).toMatchObject({ planId: 'pro', maxApiKeys: 10, features: { voice_alerts: true } })
    const log = await database.db.paymentLog.findUniqueOrThrow({ where: { eventId: accepted.eventId } })
    expect(log).toMatchObject({ signatureValid: true, orgId: userId, needsFollowUp: false })
    expect(log.processedAt).not.toBeNull()
    expect(await database.db.auditLog.count({ where: { orgId: userId, action: 'billing.plan_change', actor: 'system' } })).toBe(1)
  })

  it('processes replays and concurrent duplicates exactly once: one invoice per charge', async () => {
    const userId = await newUser()
    const { remote } = await subscribed(userId)
    await activate(remote)
    clock += 10
    const body = webhookEvent('subscription.charged', clock, {
      subscription: subscriptionEntity(remote),
      payment: { id: `pay_${randomUUID().slice(0, 12)}`, amount: 4_999_00, currency: 'INR', status: 'captured' },
    })
    const eventId = `evt_${randomUUID()}`
    const replies = await Promise.all(Array.from({ length: 6 }, () => deliver(body, eventId)))
    expect(replies.every((r) => r.status === 200)).toBe(true)
    expect(replies.filter((r) => r.body.status === 'processed')).toHaveLength(1)
    const replay = await deliver(body, eventId)
    expect(replay.body.status).toBe('duplicate')
    expect(await database.db.invoice.count({ where: { orgId: userId } })).toBe(1)
    expect(await database.db.paymentLog.count({ where: { eventId } })).toBe(1)
    // The same payment under a new event id (Razorpay re-sending) is still one invoice.
    await deliver(body)
    expect(await database.db.invoice.count({ where: { orgId: userId } })).toBe(1)
  })

  it('tolerates out-of-order delivery: an older event never moves the status back', async () => {
    const userId = await newUser()
    const { remote } = await subscribed(userId)
    const activatedAt = clock + 100
    const haltedAt = clock + 200
    clock = haltedAt
    remote.status = 'halted'
    const halted = await deliver(webhookEvent('subscription.halted', haltedAt, { subscription: subscriptionEntity(remote) }))
    const lateActivated = await deliver(webhookEvent('subscription.activated', activatedAt, { subscription: subscriptionEntity(remote) }))
    expect([halted.status, lateActivated.status]).toEqual([200, 200])
    const row = await database.db.subscription.findUniqueOrThrow({ where: { orgId: userId } })
    expect(row).toMatchObject({ status: 'HALTED', lastEventAt: new Date(haltedAt * 1000) })
    expect((await database.db.paymentLog.findUniqueOrThrow({ where: { eventId: lateActivated.eventId } })).error).toMatch(/older/)

    clock += 10
    await deliver(webhookEvent('subscription.charged', clock, { subscription: subscriptionEntity(remote) }))
    expect((await database.db.subscription.findUniqueOrThrow({ where: { orgId: userId } })).status).toBe('ACTIVE')
  })

  it('keeps paid entitlements through the grace period after a halt, then falls back to free; cancelled means free', async () => {
    const userId = await newUser()
    const { remote } = await subscribed(userId)
    await activate(remote)
    clock += 10
    const haltedAt = clock
    await deliver(webhookEvent('subscription.halted', haltedAt, { subscription: subscriptionEntity(remote) }))
    const row = await database.db.subscription.findUniqueOrThrow({ where: { orgId: userId } })
    expect(row).toMatchObject({ status: 'HALTED', haltedAt: new Date(haltedAt * 1000) })
    const graceEnds = haltedAt * 1000 + 3 * 86_400_000
    expect((await getEntitlements(database.db, userId, new Date(graceEnds - 60_000))).planId).toBe('pro')
    expect((await getEntitlements(database.db, userId, new Date(graceEnds))).planId).toBe('free')
    expect((await as(userId).billing.overview()).subscription?.graceUntil).toBe(graceEnds)

    clock += 10
    await deliver(webhookEvent('subscription.cancelled', clock, { subscription: subscriptionEntity(remote, { status: 'cancelled' }) }))
    expect(await database.db.subscription.findUniqueOrThrow({ where: { orgId: userId } })).toMatchObject({ status: 'CANCELED' })
    expect((await getEntitlements(database.db, userId, new Date(haltedAt * 1000))).planId).toBe('free')
    clock += 10
    await deliver(webhookEvent('subscription.activated', clock, { subscription: subscriptionEntity(remote) }))
    expect((await database.db.subscription.findUniqueOrThrow({ where: { orgId: userId } })).status).toBe('CANCELED')
  })

  it('stores and acknowledges unknown events, failed payments, and payments for unknown subscriptions (flagged for follow-up)', async () => {
    const unknown = await deliver(JSON.stringify({ entity: 'event', event: 'refund.speed_changed', payload: {}, created_at: clock }))
    expect(unknown).toMatchObject({ status: 200, body: { status: 'processed' } })
    const stranger = await deliver(
      webhookEvent('subscription.charged', clock, {
        subscription: { id: 'sub_nobody_knows', plan_id: 'plan_x' },
        payment: { id: 'pay_orphan', amount: 100_00, currency: 'INR' },
      }),
    )
    expect(stranger.status).toBe(200)
    const orphan = await database.db.paymentLog.findUniqueOrThrow({ where: { eventId: stranger.eventId } })
    expect(orphan).toMatchObject({ needsFollowUp: true, orgId: null, error: 'unknown subscription sub_nobody_knows' })
    const failed = await deliver(
      webhookEvent('payment.failed', clock, { payment: { id: 'pay_f', amount: 4_999_00, currency: 'INR', error_description: 'Card declined' } }),
    )
    expect(failed.status).toBe(200)
    expect((await database.db.paymentLog.findUniqueOrThrow({ where: { eventId: failed.eventId } })).error).toBe('Card declined')
    const garbage = await deliver('{"not": "an event"')
    expect(garbage.status).toBe(400)
  })

  it('issues a GST invoice per charge, renders its PDF on a job (retried after a failure), and links it for download', async () => {
    const userId = await newUser()
    const gstin = '29ABCDE1234F1Z5'
    const { remote } = await subscribed(userId, 'pro', { gstin, billingName: 'Acme Payments Pvt Ltd' })
    await activate(remote)

    // The first upload fails: pg-boss retries the job and the invoice is not lost.
    let failures = 0
    const flaky: ObjectStore = {
      ...services.storage,
      put: async (key, body, options) => {
        if (failures === 0) {
          failures += 1
          throw new Error('object store unavailable')
        }
        return services.storage.put(key, body, options)
      },
    }
    await registerBillingWorkers({ ...services, storage: flaky, db: database.db, log: testLogger })

    clock += 10
    const paymentId = `pay_${randomUUID().slice(0, 12)}`
    await deliver(
      webhookEvent('subscription.charged', clock, { subscription: subscriptionEntity(remote), payment: { id: paymentId, amount: 4_999_00, currency: 'INR' } }),
    )
    const invoice = await database.db.invoice.findUniqueOrThrow({ where: { razorpayPaymentId: paymentId } })
    expect(invoice.number).toMatch(new RegExp(`^ANZ-${new Date().getUTCFullYear()}-\\d{6}$`))
    // Inclusive GST at 18%: taxable 4,99,900 / 1.18 = 4,23,644; tax 76,256 split 38,128 + 38,128 (same state 29).
    expect(invoice).toMatchObject({ amountMinor: 4_999_00, taxMinor: 76_256, gstin, currency: 'INR' })
    expect(invoice.taxDetails).toMatchObject({
      mode: 'cgst_sgst',
      taxableMinor: 423_644,
      lines: [
        { name: 'CGST', amountMinor: 38_128 },
        { name: 'SGST', amountMinor: 38_128 },
      ],
    })

    let generated = invoice
    for (let attempt = 0; attempt < 120 && generated.status !== 'GENERATED'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      generated = await database.db.invoice.findUniqueOrThrow({ where: { id: invoice.id } })
    }
    expect(failures).toBe(1)
    expect(generated.status).toBe('GENERATED')
    expect(generated.pdfUrl).toBe(`users/${userId}/invoices/${invoice.number}.pdf`)

    const stored = await services.storage.get(generated.pdfUrl ?? '')
    const chunks: Buffer[] = []
    for await (const chunk of stored) chunks.push(chunk as Buffer)
    const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) })
    const pdfText = (await parser.getText()).text
    await parser.destroy()
    for (const expected of [
      invoice.number,
      'Acme Payments Pvt Ltd',
      `GSTIN: ${gstin}`,
      `GSTIN: ${SELLER_GSTIN}`,
      'INR 4,236.44',
      'CGST @ 9%',
      'SGST @ 9%',
      'INR 381.28',
      'INR 4,999.00',
      paymentId,
    ]) {
      expect(pdfText).toContain(expected)
    }
    expect(pdfText).not.toContain('IGST')

    const link = await as(userId).billing.invoiceDownload({ id: invoice.id })
    expect(link.url).toContain(`/files/users/${userId}/invoices/${invoice.number}.pdf`)
    expect(link.url).toMatch(/sig=/)
    expect(await as(userId).billing.invoices()).toEqual([expect.objectContaining({ id: invoice.id, status: 'GENERATED', amountMinor: 4_999_00 })])
  })

  it('renders a missing PDF on first download, with IGST across states', async () => {
    const userId = await newUser()
    const { remote } = await subscribed(userId, 'business', { gstin: '27ABCDE1234F1Z5' })
    await activate(remote)
    const ids = await database.db.invoice.findMany({ select: { id: true } })
    clock += 10
    await deliver(
      webhookEvent('subscription.charged', clock, {
        subscription: subscriptionEntity(remote),
        payment: { id: `pay_${randomUUID().slice(0, 12)}`, amount: 24_999_00, currency: 'INR' },
      }),
    )
    const invoice = await database.db.invoice.findFirstOrThrow({ where: { orgId: userId, id: { notIn: ids.map((i) => i.id) } } })
    expect(invoice.taxDetails).toMatchObject({
      mode: 'igst',
      lines: [{ name: 'IGST', ratePercent: 18, amountMinor: 24_999_00 - Math.round((24_999_00 * 100) / 118) }],
    })
    const link = await as(userId).billing.invoiceDownload({ id: invoice.id })
    expect(link.url).toContain(invoice.number)
    expect(await services.storage.head(`users/${userId}/invoices/${invoice.number}.pdf`)).not.toBeNull()
  })

  it('upgrades now, downgrades at period end, cancels at period end or now: Razorpay told, audit rows with old and new', async () => {
    const userId = await newUser()
    const { remote } = await subscribed(userId)
    await activate(remote)

    const upgraded = await as(userId).billing.changePlan({ planId: 'business' })
    expect(upgraded).toMatchObject({ planId: 'business', effective: 'now' })
    const business = await database.db.plan.findUniqueOrThrow({ where: { id: 'business' } })
    expect(remote.plan_id).toBe(business.razorpayPlanId)
    expect((await getEntitlements(database.db, userId)).planId).toBe('business')

    const downgraded = await as(userId).billing.changePlan({ planId: 'pro' })
    expect(downgraded).toMatchObject({ planId: 'business', pendingPlanId: 'pro', effective: 'period_end' })
    const pro = await database.db.plan.findUniqueOrThrow({ where: { id: 'pro' } })
    expect(remote.scheduled.plan_id).toBe(pro.razorpayPlanId)
    expect((await getEntitlements(database.db, userId)).planId).toBe('business')
    // Razorpay switches the plan at cycle end; the next charge carries it.
    clock += 10
    await deliver(webhookEvent('subscription.charged', clock, { subscription: subscriptionEntity(remote, { plan_id: pro.razorpayPlanId ?? '' }) }))
    expect(await database.db.subscription.findUniqueOrThrow({ where: { orgId: userId } })).toMatchObject({ planId: 'pro', pendingPlanId: null })

    const changes = await database.db.auditLog.findMany({
      where: { orgId: userId, action: 'billing.plan_change', actor: userId },
      orderBy: { createdAt: 'asc' },
    })
    expect(changes.map((c) => [c.oldData, c.newData])).toEqual([
      [{ planId: 'pro' }, { planId: 'business', effective: 'now' }],
      [{ planId: 'business' }, expect.objectContaining({ planId: 'pro', effective: 'period_end' })],
    ])

    expect(await as(userId).billing.cancel({ atPeriodEnd: true })).toEqual({ status: 'ACTIVE', cancelAtPeriodEnd: true })
    expect(remote.scheduled.cancel_at_cycle_end).toBe(true)
    expect((await getEntitlements(database.db, userId)).planId).toBe('pro')
    expect(await as(userId).billing.cancel({ atPeriodEnd: false })).toEqual({ status: 'CANCELED', cancelAtPeriodEnd: false })
    expect(remote.status).toBe('cancelled')
    expect((await getEntitlements(database.db, userId)).planId).toBe('free')
    const again = await as(userId)
      .billing.cancel({ atPeriodEnd: false })
      .catch((e: unknown) => e)
    expect((again as TRPCError).code).toBe('NOT_FOUND')
  })

  it('limits API keys to the plan, naming the limit and how to raise it', async () => {
    const userId = await newUser()
    const caller = as(userId)
    for (let i = 0; i < 3; i += 1) await caller.apiKeys.create({ name: `key ${i}`, scopes: ['ingest:write'] })
    const refused = await caller.apiKeys.create({ name: 'one too many', scopes: ['ingest:write'] }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(TRPCError)
    expect((refused as TRPCError).code).toBe('TOO_MANY_REQUESTS')
    expect((refused as TRPCError).message).toMatch(/Free plan allows 3 active API keys.*upgrade/)
    expect(((refused as TRPCError).cause as { details?: unknown }).details).toEqual({ limit: 3, planId: 'free', upgrade: 'billing.subscribe' })
    expect(await database.db.apiKey.count({ where: { orgId: userId } })).toBe(3)

    const { remote } = await subscribed(userId)
    await activate(remote)
    await expect(caller.apiKeys.create({ name: 'now allowed', scopes: ['ingest:write'] })).resolves.toMatchObject({ name: 'now allowed' })
    const overview = await caller.billing.overview()
    expect(overview.usage).toMatchObject({ apiKeys: 4, maxApiKeys: 10, monthlyTxQuota: 1_000_000 })
  })

  it('shows usage against quota this month from API key usage', async () => {
    const userId = await newUser()
    const key = await as(userId).apiKeys.create({ name: 'meter', scopes: ['ingest:write'] })
    const periodStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1))
    const lastMonth = new Date(Date.UTC(periodStart.getUTCFullYear(), periodStart.getUTCMonth() - 1, 1))
    await database.db.apiKeyUsage.createMany({
      data: [
        { apiKeyId: key.id, orgId: userId, periodStart, requests: 12, transactions: 3_400 },
        { apiKeyId: key.id, orgId: userId, periodStart: lastMonth, requests: 99, transactions: 9_000 },
      ],
    })
    const overview = await as(userId).billing.overview()
    expect(overview.usage).toMatchObject({ transactions: 3_400, requests: 12, monthlyTxQuota: 10_000 })
    expect(overview.plans.map((p) => p.id)).toEqual(['free', 'pro', 'business'])
    expect(overview.billingConfigured).toBe(true)
  })

  it('stores nothing for unsigned or forged bodies, however large or many; oversized bodies are refused unread', async () => {
    const before = await database.db.paymentLog.count()
    const big = JSON.stringify({ event: 'subscription.activated', created_at: clock, padding: 'x'.repeat(1024 * 1024) })
    const near = JSON.stringify({ event: 'subscription.activated', created_at: clock, padding: 'x'.repeat(200 * 1024) })
    const replies = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => deliver(big, `evt_big_${i}`, null)),
      ...Array.from({ length: 5 }, (_, i) => deliver(near, `evt_near_${i}`, i % 2 === 0 ? null : signWebhook(near, 'not-the-secret'))),
    ])
    expect(replies.slice(0, 20).every((r) => r.status === 413)).toBe(true)
    expect(replies.slice(20).every((r) => r.status === 400)).toBe(true)
    expect(await database.db.paymentLog.count()).toBe(before)
  })

  it('answers bodies with NUL or lone surrogates without a 5xx: unsigned ones store nothing, signed ones are kept readable', async () => {
    const before = await database.db.paymentLog.count()
    const bodies = [
      `{"event":"subscription.activated","created_at":${clock},"payload":{"x":"a\\u0000b"}}`,
      `{"event":"subscription.activated","created_at":${clock},"payload":{"x":"\\ud800"},"\\udc00":1}`,
      `{"event":"subscription.\u0000activated","created_at":${clock}}`,
      `{"event":"subscription.activated","created_at":${clock},"payload":{"x":"\ud800"}}`,
      '\u0000\u0000not json',
    ]
    for (const body of bodies) {
      const unsigned = await deliver(body, `evt_nul_${randomUUID()}`, null)
      expect(unsigned.status).toBe(400)
    }
    expect(await database.db.paymentLog.count()).toBe(before)
    const signed = []
    for (const body of bodies) signed.push(await deliver(body))
    for (const reply of signed) expect([200, 400]).toContain(reply.status)
    const rows = await database.db.paymentLog.findMany({
      where: { receivedAt: { gte: new Date(Date.now() - 60_000) }, signatureValid: true },
      orderBy: { receivedAt: 'desc' },
      take: bodies.length,
    })
    expect(rows).toHaveLength(bodies.length)
    expect(JSON.stringify(rows.map((r) => r.payload))).not.toMatch(/\\u0000|\\ud800|\\udc00/)
    expect(JSON.stringify(rows.map((r) => r.payload))).toContain('\uFFFD')
  })

  it('answers a signed event with values out of range (a year-10000 period, a negative or huge amount) 400 and keeps it for follow-up, never 500', async () => {
    const year10000 = Date.UTC(10_000, 0, 1) / 1000
    const bodies = [
      `{"event":"subscription.charged","created_at":${clock},"payload":{"subscription":{"entity":{"id":"sub_far","current_start":${year10000},"current_end":${year10000 + 86_400}}}}}`,
      `{"event":"subscription.activated","created_at":${year10000}}`,
      `{"event":"payment.failed","created_at":${clock},"payload":{"payment":{"entity":{"id":"pay_neg","amount":-5,"currency":"INR"}}}}`,
      `{"event":"payment.failed","created_at":${clock},"payload":{"payment":{"entity":{"id":"pay_huge","amount":1e15,"currency":"INR"}}}}`,
    ]
    for (const body of bodies) {
      const eventId = `evt_range_${randomUUID()}`
      const reply = await deliver(body, eventId)
      expect(reply.status).toBe(400)
      const row = await database.db.paymentLog.findFirst({
        where: { signatureValid: true, needsFollowUp: true, error: { startsWith: 'unreadable event' } },
        orderBy: { receivedAt: 'desc' },
      })
      expect(row?.error).toMatch(/unreadable event/)
    }
  })
})
