import { createHash } from 'node:crypto'
import { isTimeInRange, type CaseEntityType } from '@anomalyze/shared'

/**
 * The entity transaction pages' cursor: opaque to clients, base64url of
 * "e:<timestamp ms>:<transaction id>:<entity tag>", the keyset position (timestamp, id)
 * of the last row sent. The tag (a short hash of the entity's type and id) makes a
 * cursor of another entity's list fail here rather than silently position this one;
 * the service then checks the row is the caller's and the entity's, so a cursor of
 * another organisation, or a made-up one, is refused too. A hash keeps the cursor
 * within the input's 200 characters whatever the entity id's length. Pure.
 */
export interface EntityPosition {
  timestamp: number
  id: string
}

export function entityTag(type: CaseEntityType, entityId: string): string {
  return createHash('sha256').update(`${type}\u0000${entityId}`).digest('base64url').slice(0, 11)
}

export function encodeEntityCursor(type: CaseEntityType, entityId: string, position: EntityPosition): string {
  return Buffer.from(`e:${position.timestamp}:${position.id}:${entityTag(type, entityId)}`, 'utf8').toString('base64url')
}

/** The position a cursor holds, or null when it is garbled or belongs to another entity's list. */
export function decodeEntityCursor(cursor: string, type: CaseEntityType, entityId: string): EntityPosition | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null
  const match = /^e:(\d{1,16}):([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]{11})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'))
  if (!match) return null
  const [, ms, id, tag] = match as unknown as [string, string, string, string]
  const timestamp = Number(ms)
  if (!isTimeInRange(timestamp) || tag !== entityTag(type, entityId)) return null
  return { timestamp, id }
}
