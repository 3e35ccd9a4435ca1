import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Razorpay signs the raw request body: X-Razorpay-Signature = hex HMAC-SHA256(body,
 * webhook secret). Compared in constant time; no secret configured means nothing
 * verifies.
 */
export function verifyWebhookSignature(rawBody: Buffer, signature: string | undefined, secret: string | undefined): boolean {
  if (secret === undefined || signature === undefined || !/^[0-9a-f]{64}$/i.test(signature)) return false
  const expected = createHmac('sha256', secret).update(rawBody).digest()
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'))
}
