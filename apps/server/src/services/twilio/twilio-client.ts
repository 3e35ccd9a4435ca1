import twilio from 'twilio'
import type RequestClient from 'twilio/lib/base/RequestClient.js'
import type { ServerEnv } from '../../env.ts'

/**
 * The real Twilio SDK, optionally aimed at another base URL (TWILIO_API_BASE_URL: a
 * local stub in tests, an egress proxy in locked-down networks). The SDK supports a
 * custom `httpClient`; its edge/region settings only rewrite *.twilio.com host names,
 * so the supported way to reach another origin is a RequestClient that swaps the
 * origin of each URI and leaves everything else (form body, Basic auth, headers) as
 * the SDK built it.
 */
class RebasedRequestClient extends twilio.RequestClient {
  readonly #base: URL

  constructor(baseUrl: string) {
    // No SDK-level 429 retries: the job queue owns retries and their backoff.
    super({ autoRetry: false, timeout: 15_000 })
    this.#base = new URL(baseUrl)
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const original = new URL(opts.uri)
    const rebased = new URL(original.pathname + original.search, this.#base)
    return super.request<TData>({ ...opts, uri: rebased.href })
  }
}

export interface TwilioConfig {
  client: twilio.Twilio
  from: string
  authToken: string
}

/** Null (SMS and voice off) unless SID, token and sender number are all configured. */
export function createTwilioClient(env: ServerEnv): TwilioConfig | null {
  const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_FROM_NUMBER: from } = env
  if (sid === undefined || token === undefined || from === undefined) return null
  const client = twilio(sid, token, env.TWILIO_API_BASE_URL === undefined ? {} : { httpClient: new RebasedRequestClient(env.TWILIO_API_BASE_URL) })
  return { client, from, authToken: token }
}
