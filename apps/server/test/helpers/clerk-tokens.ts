import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose'

/**
 * Mints tokens in Clerk's session-token format (RS256, `kid` header; claims azp,
 * exp, iat, iss, nbf, sid, sub) with a key pair of the test's own, so that the real
 * @clerk/backend verification path runs against them. The active organisation is
 * optional, in either of Clerk's shapes: v1 `org_id`/`org_role`/`org_slug`, or v2
 * `v: 2` with `o: { id, rol, slg }`.
 */
export interface ClerkTestInstance {
  publicKeyPem: string
  issuer: string
  mint(claims?: Partial<SessionClaims>, key?: CryptoKey): Promise<string>
  otherPrivateKey: CryptoKey
}

export interface SessionClaims {
  sub: string
  sid: string
  azp: string
  iss: string
  iat: number
  nbf: number
  exp: number
  org_id?: string
  org_role?: string
  org_slug?: string
  v?: number
  o?: { id: string; rol?: string; slg?: string }
}

export async function createClerkTestInstance(): Promise<ClerkTestInstance> {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const other = await generateKeyPair('RS256')
  const issuer = 'https://clerk.anomalyze.test'
  return {
    publicKeyPem: await exportSPKI(publicKey),
    issuer,
    otherPrivateKey: other.privateKey,
    async mint(claims = {}, key = privateKey) {
      const now = Math.floor(Date.now() / 1000)
      const payload: SessionClaims = {
        sub: 'user_2test',
        sid: 'sess_2test',
        azp: 'http://localhost:5173',
        iss: issuer,
        iat: now - 5,
        nbf: now - 10,
        exp: now + 60,
        ...claims,
      }
      return new SignJWT({ ...payload }).setProtectedHeader({ alg: 'RS256', kid: 'ins_test', typ: 'JWT' }).sign(key)
    },
  }
}
