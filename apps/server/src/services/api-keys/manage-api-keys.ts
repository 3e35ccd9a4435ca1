import bcrypt from 'bcryptjs'
import { z } from 'zod'
import { AppError } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'
import { getEntitlements } from '../billing/entitlements.ts'
import { API_KEY_SCOPES, generateApiKey } from './api-key-format.ts'

const BCRYPT_ROUNDS = 10

export const ZCreateApiKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).default(['ingest:write']),
})

export interface Actor {
  orgId: string
  userId?: string | null | undefined
  ip?: string | undefined
  userAgent?: string | undefined
}

const keySelect = {
  id: true,
  name: true,
  keyPrefix: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const

/** Creates a key; the secret is in this response only and never stored. */
export async function createApiKey(db: Db, actor: Actor, input: z.output<typeof ZCreateApiKeyInput>) {
  const generated = generateApiKey()
  const keyHash = await bcrypt.hash(generated.secret, BCRYPT_ROUNDS)
  const key = await db.$transaction(async (tx) => {
    // Serialise this user's key creations so two at once cannot both pass the limit.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`api-keys-${actor.orgId}`}))`
    const entitlements = await getEntitlements(db, actor.orgId)
    const active = await tx.apiKey.count({ where: { orgId: actor.orgId, revokedAt: null } })
    if (active >= entitlements.maxApiKeys) {
      throw new AppError(
        'LIMIT_EXCEEDED',
        `The ${entitlements.planName} plan allows ${entitlements.maxApiKeys} active API keys and you have ${active}: revoke one, or upgrade on the Billing screen (billing.subscribe)`,
        { limit: entitlements.maxApiKeys, planId: entitlements.planId, upgrade: 'billing.subscribe' },
      )
    }
    const created = await tx.apiKey.create({
      data: {
        orgId: actor.orgId,
        createdById: actor.userId ?? null,
        name: input.name,
        keyId: generated.keyId,
        keyPrefix: generated.keyPrefix,
        keyHash,
        scopes: input.scopes,
      },
      select: keySelect,
    })
    await recordAudit(tx, auditActorOf(actor), {
      action: 'api_key.create',
      entityType: 'ApiKey',
      entityId: created.id,
      newData: { name: created.name, keyPrefix: created.keyPrefix, scopes: created.scopes },
    })
    return created
  })
  return { ...toDto(key), secret: generated.secret }
}

export async function listApiKeys(db: Db, orgId: string) {
  const keys = await db.apiKey.findMany({ where: { orgId }, select: keySelect, orderBy: { createdAt: 'desc' } })
  return keys.map(toDto)
}

/** Revokes a key; the next request that uses it is refused. */
export async function revokeApiKey(db: Db, actor: Actor, id: string) {
  return db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id, orgId: actor.orgId }, select: keySelect })
    if (!key) throw new AppError('NOT_FOUND', `No API key with id ${id}`)
    if (key.revokedAt) return toDto(key)
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, select: keySelect })
    await recordAudit(tx, auditActorOf(actor), {
      action: 'api_key.revoke',
      entityType: 'ApiKey',
      entityId: id,
      oldData: { revokedAt: null },
      newData: { revokedAt: revoked.revokedAt?.toISOString() ?? null },
    })
    return toDto(revoked)
  })
}

/** Key changes are recorded as the member's who made them (actor = their user id; only people manage keys). */
function auditActorOf(actor: Actor): AuditActor {
  return { orgId: actor.orgId, userId: actor.userId, ip: actor.ip, userAgent: actor.userAgent }
}

function toDto(key: { id: string; name: string; keyPrefix: string; scopes: string[]; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) {
  return {
    ...key,
    createdAt: key.createdAt.getTime(),
    lastUsedAt: key.lastUsedAt?.getTime() ?? null,
    revokedAt: key.revokedAt?.getTime() ?? null,
  }
}
