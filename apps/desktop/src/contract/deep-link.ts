/**
 * Links into the console. Alert e-mails carry `anomalyze://anomaly/<id>` (the server's
 * notify worker and GET /anomalies/<id>), case notices `anomalyze://case/<id>` (GET
 * /cases/<id>); the plurals `anomalies` and `cases` are accepted too. The browser
 * console takes the same through its address: `#/anomalies/<id>`, `#/cases/<id>`.
 * Pure functions, shared by the Electron main process, the preload and the renderer.
 */
export const DEEP_LINK_SCHEME = 'anomalyze'

/** What a link opens: an anomaly in the queue, or a case in the Cases view. */
export type DeepLinkKind = 'anomaly' | 'case'

export interface DeepLinkTarget {
  kind: DeepLinkKind
  id: string
}

/** Same shape the server allows in its links (apps/server/src/http/routes/console-links.ts). */
const LINK_ID = /^[A-Za-z0-9_-]{1,100}$/

/** The link's host (anomalyze://<host>/<id>) or the hash's first segment (#/<segment>/<id>), lower case. */
const KIND_BY_SEGMENT: ReadonlyMap<string, DeepLinkKind> = new Map([
  ['anomaly', 'anomaly'],
  ['anomalies', 'anomaly'],
  ['case', 'case'],
  ['cases', 'case'],
])

/** The target of an `anomalyze://anomaly/<id>` or `anomalyze://case/<id>` link; null for anything else. */
export function targetFromDeepLink(link: string): DeepLinkTarget | null {
  if (link.length > 2_048) return null
  let url: URL
  try {
    url = new URL(link.trim())
  } catch {
    return null
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` || url.username !== '' || url.password !== '' || url.port !== '') return null
  return target(url.hostname.toLowerCase(), url.pathname)
}

/** The target in the browser console's `#/anomalies/<id>` or `#/cases/<id>` (singular too); null otherwise. */
export function targetFromHash(hash: string): DeepLinkTarget | null {
  const match = /^#?\/([a-z]+)(\/.*)$/.exec(hash)
  return match === null ? null : target(match[1] as string, match[2] as string)
}

/** A target that crossed a process boundary (main -> preload): the same checks as a link's. */
export function asDeepLinkTarget(value: unknown): DeepLinkTarget | null {
  if (typeof value !== 'object' || value === null) return null
  const { kind, id } = value as Record<string, unknown>
  if (kind !== 'anomaly' && kind !== 'case') return null
  return typeof id === 'string' && LINK_ID.test(id) ? { kind, id } : null
}

function target(segment: string, path: string): DeepLinkTarget | null {
  const kind = KIND_BY_SEGMENT.get(segment)
  if (kind === undefined) return null
  const id = idFromPath(path)
  return id === null ? null : { kind, id }
}

/** `/<id>` or `/<id>/`: one segment, nothing else. */
function idFromPath(path: string): string | null {
  const segments = path.replace(/\/$/, '').split('/')
  if (segments.length !== 2 || segments[0] !== '') return null
  let id: string
  try {
    id = decodeURIComponent(segments[1] as string)
  } catch {
    return null
  }
  return LINK_ID.test(id) ? id : null
}

/** Finds the deep link among a process's arguments (Windows and Linux pass it there). */
export function deepLinkInArgv(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}://`) && targetFromDeepLink(arg) !== null) return arg
  }
  return null
}
