import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Time-limited download links for the local-folder store, served by the server's
 * `GET /files/<key>` route: `?expires=<unix s>&name=<file name>&sig=<hmac>`. The S3
 * store uses S3's own presigned URLs instead.
 */
export interface LinkSigner {
  sign(key: string, expiresAt: number, fileName: string): string
  verify(key: string, expiresAt: number, fileName: string, signature: string): boolean
}

export function createLinkSigner(secret: string): LinkSigner {
  const mac = (key: string, expiresAt: number, fileName: string): Buffer => createHmac('sha256', secret).update(`${key}\n${expiresAt}\n${fileName}`).digest()
  return {
    sign: (key, expiresAt, fileName) => mac(key, expiresAt, fileName).toString('base64url'),
    verify(key, expiresAt, fileName, signature) {
      const expected = mac(key, expiresAt, fileName)
      const given = Buffer.from(signature, 'base64url')
      return given.length === expected.length && timingSafeEqual(given, expected)
    },
  }
}
