import { createHmac, randomUUID } from 'node:crypto'
import fc from 'fast-check'
import twilio from 'twilio'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { anyText, hostileNumber, materialize, Repeat, unsafeText, type Spec } from './arbitraries.ts'
import { addAnomalies } from './fixtures.ts'
import { call, expectNo5xxNoLeak, fail, fuzzParams, generousPlan, startFuzzServer, Tally, type Answer, type FuzzServer } from './harness.ts'

/**
 * Provider webhooks with generated bodies: random bytes, JSON with NUL and lone
 * surrogates, huge bodies (up to ~1 MB, some past the limit), unsigned, wrongly
 * signed, correctly signed but malformed.
 * - Razorpay (`POST /webhooks/razorpay`, HMAC-SHA256 of the raw body with the test secret).
 * - Twilio status and voice-ack callbacks (form bodies; real signatures computed with
 *   the twilio SDK over the URL the server sees and the parsed form).
 * Properties: no 5xx; bodies never show source paths, stack lines or "prisma";
 * unsigned or wrongly signed requests change nothing.
 */

const RAZORPAY_SECRET = 'fuzz-razorpay-webhook-secret'
const TWILIO_TOKEN = 'fuzz-twilio-auth-token-42'
const TWILIO_SID = `AC${'c3'.repeat(16)}`
const SUBSCRIPTION = 'sub_fuzz_1'

type Signing = 'none' | 'wrong-secret' | 'not-hex' | 'other-body' | 'correct'

/** Printable ASCII only: fetch refuses other header bytes before anything is sent. */
const headerText = fc.oneof(
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, 'x').trim() || 'x'),
  fc.constant('x'.repeat(4_000)),
)

const hostileJsonValue: fc.Arbitrary<Spec> = fc.oneof(
  anyText as fc.Arbitrary<Spec>,
  hostileNumber as fc.Arbitrary<Spec>,
  fc.constantFrom<Spec>(null, true, [], {}, '2026-01-01'),
)

/** Razorpay's envelope with hostile values where Razorpay puts its fields. */
const razorpayEvent: fc.Arbitrary<Spec> = fc.record({
  entity: fc.constant<Spec>('event'),
  event: fc.oneof(
    fc.constantFrom<Spec>(
      'subscription.activated',
      'subscription.charged',
      'subscription.halted',
      'subscription.cancelled',
      'payment.failed',
      'refund.created',
    ),
    hostileJsonValue,
  ),
  created_at: fc.oneof(
    fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }) as fc.Arbitrary<Spec>,
    fc.constantFrom<Spec>(1e20, 9e15, -1, 8.64e12, 253402300800, 1.5, null, '1700000000'),
  ),
  payload: fc.record(
    {
      subscription: fc.record({
        entity: fc.record({
          id: fc.oneof(fc.constant<Spec>(SUBSCRIPTION), hostileJsonValue),
          plan_id: fc.oneof(fc.constantFrom<Spec>('plan_x', null), hostileJsonValue),
          current_start: fc.oneof(
            fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }) as fc.Arbitrary<Spec>,
            fc.constantFrom<Spec>(1e20, 9e15, -1e12, 253402300800),
          ),
          current_end: fc.oneof(
            fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }) as fc.Arbitrary<Spec>,
            fc.constantFrom<Spec>(1e20, 9e15, -1e12, 253402300800),
          ),
          notes: fc.oneof(
            fc.constantFrom<Spec>(null, []),
            fc.dictionary(fc.string({ maxLength: 8 }), hostileJsonValue, { maxKeys: 3 }) as fc.Arbitrary<Spec>,
            unsafeText.map((t): Spec => ({ [t]: t })),
          ),
        }),
      }),
      payment: fc.record({
        entity: fc.record({
          id: fc.oneof(fc.constant<Spec>('pay_1'), hostileJsonValue),
          amount: fc.oneof(fc.constant<Spec>(499_900), hostileNumber as fc.Arbitrary<Spec>),
          currency: fc.oneof(fc.constant<Spec>('INR'), hostileJsonValue),
          error_description: hostileJsonValue,
          subscription_id: fc.oneof(fc.constant<Spec>(SUBSCRIPTION), hostileJsonValue),
        }),
      }),
    },
    { requiredKeys: [] },
  ),
}) as fc.Arbitrary<Spec>

/** A body as bytes, described compactly. */
type BodySpec = { json: Spec } | { text: Spec } | { bytes: Uint8Array } | { huge: number; unit: string }

const razorpayBody: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 4, arbitrary: razorpayEvent.map((json): BodySpec => ({ json })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 3_000 }).map((bytes): BodySpec => ({ bytes })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<Spec>(
        '{"event":"\\u0000","created_at":1}',
        '{"event":"\\ud800","created_at":1}',
        '{"a":"\u0000"}',
        '{"event":',
        '',
        'null',
        '[]',
        '"str"',
        '{"__proto__":{"x":1},"event":"x"}',
      )
      .map((text): BodySpec => ({ text })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 100_000, max: 1_100_000 }), fc.constantFrom('x', '\\u0000', '\\ud800', '😀'))
      .map(([huge, unit]): BodySpec => ({ huge, unit })),
  },
)

function bodyBytes(spec: BodySpec): Buffer {
  if ('json' in spec) return Buffer.from(JSON.stringify(materialize(spec.json)) ?? 'null')
  if ('text' in spec) return Buffer.from(String(materialize(spec.text)))
  if ('bytes' in spec) return Buffer.from(spec.bytes)
  const unitBytes = Buffer.byteLength(spec.unit)
  return Buffer.from(`{"event":"subscription.activated","created_at":1700000000,"pad":"${new Repeat(spec.unit, Math.ceil(spec.huge / unitBytes)).build()}"}`)
}

const razorpayRequest = fc.record({
  body: razorpayBody,
  signing: fc.constantFrom<Signing>('none', 'wrong-secret', 'not-hex', 'other-body', 'correct'),
  eventId: fc.option(headerText, { nil: undefined }),
  contentType: fc.option(
    fc.constantFrom('application/json', 'application/octet-stream', 'text/plain; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data'),
    {
      nil: undefined,
    },
  ),
})

function razorpaySignature(signing: Signing, body: Buffer): string | undefined {
  switch (signing) {
    case 'none':
      return undefined
    case 'wrong-secret':
      return createHmac('sha256', 'not-the-secret').update(body).digest('hex')
    case 'not-hex':
      return 'zz'.repeat(32)
    case 'other-body':
      return createHmac('sha256', RAZORPAY_SECRET)
        .update(Buffer.concat([body, Buffer.from(' ')]))
        .digest('hex')
    case 'correct':
      return createHmac('sha256', RAZORPAY_SECRET).update(body).digest('hex')
  }
}

describe('fuzz: provider webhooks', () => {
  let server: FuzzServer
  let logId: string
  let anomalyId: string

  beforeAll(async () => {
    server = await startFuzzServer({
      JOB_POLL_SECONDS: '60',
      RAZORPAY_WEBHOOK_SECRET: RAZORPAY_SECRET,
      TWILIO_ACCOUNT_SID: TWILIO_SID,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_FROM_NUMBER: '+14155550100',
      TWILIO_API_BASE_URL: 'http://127.0.0.1:9',
    })
    await generousPlan(server)
    await server.app.db.subscription.update({ where: { orgId: server.orgId }, data: { razorpaySubscriptionId: SUBSCRIPTION } })
    anomalyId = (await addAnomalies(server.app.db, server.orgId, 1)).anomalyIds[0]!
    logId = (await server.app.db.notificationLog.create({ data: { orgId: server.orgId, anomalyId, channel: 'VOICE', status: 'SENT' } })).id
  })
  const tally = new Tally('webhooks: route, signing, status')
  afterAll(async () => {
    tally.print()
    await server?.stop()
  })

  const postRazorpay = async (body: Buffer, signature: string | undefined, eventId: string | undefined, contentType: string | undefined): Promise<Answer> => {
    const headers: Record<string, string> = {}
    if (signature !== undefined) headers['x-razorpay-signature'] = signature
    if (eventId !== undefined) headers['x-razorpay-event-id'] = eventId
    if (contentType !== undefined) headers['content-type'] = contentType
    const answer = await call(server.url, 'POST', '/webhooks/razorpay', { body, headers })
    tally.note(
      `razorpay ${signature === undefined ? 'unsigned' : signature === createHmac('sha256', RAZORPAY_SECRET).update(body).digest('hex') ? 'signed' : 'mis-signed'} ${answer.status}`,
    )
    expectNo5xxNoLeak(answer, 'razorpay webhook')
    return answer
  }

  const billingState = async () => ({
    subscription: await server.app.db.subscription.findUniqueOrThrow({ where: { orgId: server.orgId } }),
    validLogs: await server.app.db.paymentLog.count({ where: { signatureValid: true } }),
    invoices: await server.app.db.invoice.count(),
    audits: await server.app.db.auditLog.count({ where: { orgId: server.orgId } }),
  })

  it('Razorpay: never 5xx, leaks nothing; unsigned or wrongly signed bodies change no billing state', async () => {
    await fc.assert(
      fc.asyncProperty(razorpayRequest, async ({ body: spec, signing, eventId, contentType }) => {
        const body = bodyBytes(spec)
        const before = await billingState()
        const answer = await postRazorpay(body, razorpaySignature(signing, body), eventId, contentType)
        if (signing === 'correct') return
        if (answer.status < 400) fail(`a ${signing} signature was accepted`, answer)
        const after = await billingState()
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          throw new Error(`a ${signing} request changed billing state: ${JSON.stringify(before).slice(0, 300)} -> ${JSON.stringify(after).slice(0, 300)}`)
        }
      }),
      fuzzParams(120, 12_000),
    )
  }, 120_000)

  it('Razorpay: unsigned or wrongly signed bodies store nothing (PaymentLog count unchanged)', async () => {
    await fc.assert(
      fc.asyncProperty(
        razorpayBody,
        fc.constantFrom<Signing>('none', 'wrong-secret', 'not-hex', 'other-body'),
        fc.option(headerText, { nil: undefined }),
        async (spec, signing, eventId) => {
          const body = bodyBytes(spec)
          const before = await server.app.db.paymentLog.count()
          const answer = await postRazorpay(body, razorpaySignature(signing, body), eventId, 'application/json')
          const after = await server.app.db.paymentLog.count()
          if (after !== before) fail(`a request with signature "${signing}" stored ${after - before} PaymentLog row(s)`, answer)
        },
      ),
      fuzzParams(30, 5_000),
    )
  }, 60_000)

  // ------------------------------------------------------------------ Twilio

  const formKey = fc.oneof(
    fc.constantFrom('MessageSid', 'MessageStatus', 'CallSid', 'CallStatus', 'Digits', 'ErrorCode', 'AccountSid', '__proto__', 'constructor'),
    fc.string({ maxLength: 10 }),
  )
  const formValue: fc.Arbitrary<Spec> = fc.oneof(
    fc.constantFrom<Spec>('delivered', 'failed', 'undelivered', 'completed', 'no-answer', '1', '', 'SM123'),
    anyText as fc.Arbitrary<Spec>,
  )
  /** A form body: fields encoded by URLSearchParams, or raw text with invalid percent escapes. */
  const twilioBody = fc.oneof(
    { weight: 4, arbitrary: fc.array(fc.tuple(formKey, formValue), { maxLength: 6 }).map((fields) => ({ fields })) },
    {
      weight: 1,
      arbitrary: fc
        .array(
          fc.constantFrom(
            'MessageStatus=%00',
            'CallStatus=%ED%A0%80',
            'Digits=%F0%9F',
            'a=%zz',
            '%=%',
            'MessageSid=%C0%80',
            'x=%FF%FE',
            'Digits=1',
            '&&&',
            '=v',
            'k=',
          ),
          { minLength: 1, maxLength: 5 },
        )
        .map((parts) => ({ raw: parts.join('&') })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((bytes) => ({ bytes })) },
    { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 1_000_000 }).map((huge) => ({ huge })) },
  )
  const twilioRequest = fc.record({
    route: fc.constantFrom('/webhooks/twilio/status', '/webhooks/twilio/voice/ack'),
    logId: fc.oneof(fc.constant<'real' | 'none'>('real'), fc.constant<'real' | 'none'>('none'), headerText),
    body: twilioBody,
    signing: fc.constantFrom<Signing>('none', 'wrong-secret', 'not-hex', 'other-body', 'correct', 'correct'),
    contentType: fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain',
      'application/octet-stream',
    ),
  })

  const logState = async () => ({
    log: await server.app.db.notificationLog.findUniqueOrThrow({ where: { id: logId } }),
    anomaly: await server.app.db.anomaly.findUniqueOrThrow({ where: { id: anomalyId }, select: { acknowledgedAt: true, status: true } }),
  })

  it('Twilio: never 5xx, leaks nothing; unsigned or wrongly signed callbacks change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(twilioRequest, async ({ route, logId: which, body: spec, signing, contentType }) => {
        const query = which === 'none' ? '' : `?logId=${encodeURIComponent(which === 'real' ? logId : which)}`
        const pathAndQuery = `${route}${query}`
        let body: Buffer
        let params: Record<string, string> = {}
        if ('fields' in spec) {
          const form = new URLSearchParams()
          for (const [k, v] of spec.fields) form.append(k, String(materialize(v)))
          body = Buffer.from(form.toString())
        } else if ('raw' in spec) body = Buffer.from(spec.raw)
        else if ('bytes' in spec) body = Buffer.from(spec.bytes)
        else body = Buffer.from(`MessageStatus=delivered&Pad=${'x'.repeat(spec.huge)}`)
        if (contentType === 'application/x-www-form-urlencoded') params = Object.fromEntries(new URLSearchParams(body.toString('utf8')))
        const url = `${server.url}${pathAndQuery}`
        const signature =
          signing === 'none'
            ? undefined
            : signing === 'wrong-secret'
              ? twilio.getExpectedTwilioSignature('not-the-token', url, params)
              : signing === 'not-hex'
                ? '!!!'
                : signing === 'other-body'
                  ? twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, { ...params, Extra: '1' })
                  : twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, params)
        const before = await logState()
        const answer = await call(server.url, 'POST', pathAndQuery, {
          body,
          headers: { 'content-type': contentType, ...(signature === undefined ? {} : { 'x-twilio-signature': signature }) },
        })
        tally.note(`twilio ${route.split('/').at(-1)} ${signing} ${contentType.split(';')[0]} ${answer.status}`)
        expectNo5xxNoLeak(answer, `twilio ${route}`)
        if (signing === 'correct') return
        if (answer.status !== 403 && answer.status < 400) fail(`a ${signing} signature was accepted`, answer)
        const after = await logState()
        if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`a ${signing} callback changed the delivery or the anomaly`)
      }),
      fuzzParams(120, 12_000),
    )
  }, 120_000)

  it('Twilio: a correctly signed callback for the real delivery, with any form values, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/webhooks/twilio/status', '/webhooks/twilio/voice/ack'),
        fc.array(fc.tuple(formKey, fc.oneof(formValue, unsafeText as fc.Arbitrary<Spec>)), { minLength: 1, maxLength: 5 }),
        async (route, fields) => {
          const pathAndQuery = `${route}?logId=${encodeURIComponent(logId)}`
          const form = new URLSearchParams()
          for (const [k, v] of fields) form.append(k, String(materialize(v)))
          const params = Object.fromEntries(new URLSearchParams(form.toString()))
          const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${server.url}${pathAndQuery}`, params)
          const answer = await call(server.url, 'POST', pathAndQuery, {
            body: form.toString(),
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          })
          tally.note(`twilio signed real delivery ${route.split('/').at(-1)} ${answer.status}`)
          expectNo5xxNoLeak(answer, `signed twilio ${route}`)
          if (answer.status === 403) fail('a correctly signed callback was refused (harness signature mismatch?)', answer)
        },
      ),
      fuzzParams(60, 6_000),
    )
  }, 60_000)

  it('Razorpay: a correctly signed event with an event id, whatever its content, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(razorpayEvent, async (event) => {
        const body = Buffer.from(JSON.stringify(materialize(event)))
        await postRazorpay(body, razorpaySignature('correct', body), `evt_${randomUUID()}`, 'application/json')
      }),
      fuzzParams<[Spec]>(60, 6_000, [
        // Found 2026-12-04: current_end of -1e12 seconds (a date Postgres cannot hold) answered 500 "retried on redelivery".
        [
          {
            entity: 'event',
            event: 'subscription.activated',
            created_at: 1600000000,
            payload: { subscription: { entity: { id: SUBSCRIPTION, plan_id: 'plan_x', current_start: 1600000000, current_end: -1000000000000, notes: null } } },
          },
        ],
      ]),
    )
  }, 60_000)
})
