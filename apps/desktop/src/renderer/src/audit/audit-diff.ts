/**
 * Audit rows made readable: what a row's oldData/newData changed, as `field: old → new`
 * lines, and where the console can open the row's entity. Pure functions; the Audit
 * view renders them.
 */
import { targetFromHash } from '../../../contract/deep-link.ts'

/** One changed field; `before`/`after` are undefined when the field was absent on that side. */
export interface AuditChange {
  /** Dotted path for nested objects (`settings.smsEnabled`). */
  field: string
  before: string | undefined
  after: string | undefined
}

/**
 * Keys written for the machinery, not for people: sync bookkeeping (a mutation's or an
 * event's idempotency id) and ids the analyst has no use for (the row's own id, the
 * organisation's). Dropped at any depth.
 */
const NOISE: ReadonlySet<string> = new Set(['mutationId', 'clientMutationId', 'eventId', 'requestId', 'idempotencyKey', 'id', 'orgId'])

/** Nested objects are spelled out as dotted fields this deep; deeper ones are shown as compact JSON. */
const MAX_DEPTH = 3
const MAX_LIST_ITEMS = 3
const MAX_TEXT = 80

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The fields whose values differ between `oldData` and `newData` (either may be null or
 * not an object, as the trail stores whatever the action recorded). A row with only
 * new data (a creation) lists its fields with no `before`. `names` turns ids the console
 * knows (members' user ids) into names.
 */
export function auditChanges(oldData: unknown, newData: unknown, names: ReadonlyMap<string, string> = new Map()): AuditChange[] {
  const changes: AuditChange[] = []
  const walk = (before: unknown, after: unknown, path: string, depth: number): void => {
    if ((isObject(before) || before === undefined) && (isObject(after) || after === undefined) && depth < MAX_DEPTH && (before ?? after) !== undefined) {
      const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
      for (const key of keys) {
        if (NOISE.has(key)) continue
        walk(before?.[key], after?.[key], path === '' ? key : `${path}.${key}`, depth + 1)
      }
      return
    }
    if (canonical(before) === canonical(after)) return
    changes.push({ field: path === '' ? 'value' : path, before: shown(before, names), after: shown(after, names) })
  }
  walk(oldData ?? undefined, newData ?? undefined, '', 0)
  return changes
}

/** A value as one short line: strings bare, lists of at most three items, other JSON compact and cut. */
function shown(value: unknown, names: ReadonlyMap<string, string>): string | undefined {
  if (value === undefined) return undefined
  if (value === null) return 'none'
  if (typeof value === 'string') return cut(names.get(value) ?? (value === '' ? '""' : value))
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const items = value.slice(0, MAX_LIST_ITEMS).map((item) => shown(item, names) ?? 'none')
    return cut(`[${items.join(', ')}${value.length > MAX_LIST_ITEMS ? `, … ${value.length} in all` : ''}]`)
  }
  if (isObject(value)) return cut(JSON.stringify(withoutNoise(value)))
  return String(value)
}

function withoutNoise(value: Json): Json {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !NOISE.has(key)))
}

const cut = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text)

/** JSON with sorted keys, so that key order alone never reads as a change. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`
  return JSON.stringify(value)
}

/** How the trail's entity types read in the console. */
const ENTITY_LABEL: Readonly<Record<string, string>> = {
  Anomaly: 'Alert',
  ApiKey: 'API key',
  BatchJob: 'Scoring batch',
  ModelArtifact: 'Model',
  RuleSetVersion: 'Rule set version',
  RuleList: 'Rule list',
  NotificationSettings: 'Alert settings',
  ACCOUNT: 'Account',
}

/** `NotificationSettings` -> `Notification settings` for types the table above does not name. */
export function entityLabel(entityType: string): string {
  const known = ENTITY_LABEL[entityType]
  if (known !== undefined) return known
  const words = entityType.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_]+/)
  const sentence = words.map((word, i) => (i === 0 ? word : word.toLowerCase())).join(' ')
  return sentence.charAt(0).toUpperCase() + sentence.slice(1)
}

/**
 * Where the console opens the entity: an alert in the queue, a case in the Cases view
 * (the browser console's `#/anomalies/<id>` and `#/cases/<id>`, read by useDeepLink);
 * null for any other type, or an id a link would not carry.
 */
export function entityHref(entityType: string, entityId: string | null): string | null {
  const segment = entityType === 'Anomaly' ? 'anomalies' : entityType === 'Case' ? 'cases' : null
  if (segment === null || entityId === null) return null
  const href = `#/${segment}/${encodeURIComponent(entityId)}`
  // The same check the link's reader makes: an id it would refuse gets no link.
  return targetFromHash(href) === null ? null : href
}
