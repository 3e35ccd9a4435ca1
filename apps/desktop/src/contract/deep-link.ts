/**
 * Links into the console. Alert e-mails carry `anomalyze://anomaly/<id>` (the server's
 * notify worker and GET /anomalies/<id>); `anomalyze://anomalies/<id>` is accepted too.
 * The browser console takes the same through its address: `#/anomalies/<id>`.
 * Pure functions, shared by the Electron main process and the renderer.
 */
export const DEEP_LINK_SCHEME = 'anomalyze'

/** Same shape the server allows in its anomaly links (anomaly-links.ts). */
const ANOMALY_ID = /^[A-Za-z0-9_-]{1,100}$/
const ANOMALY_HOSTS = new Set(['anomaly', 'anomalies'])

/** The anomaly id in an `anomalyze://anomaly/<id>` link; null for anything else. */
export function anomalyIdFromDeepLink(link: string): string | null {
  if (link.length > 2_048) return null
  let url: URL
  try {
    url = new URL(link.trim())
  } catch {
    return null
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` || url.username !== '' || url.password !== '' || url.port !== '') return null
  if (!ANOMALY_HOSTS.has(url.hostname.toLowerCase())) return null
  return idFromPath(url.pathname)
}

/** The anomaly id in the browser console's `#/anomalies/<id>` (or `#/anomaly/<id>`); null otherwise. */
export function anomalyIdFromHash(hash: string): string | null {
  const match = /^#?\/(anomaly|anomalies)(\/.*)$/.exec(hash)
  return match === null ? null : idFromPath(match[2] as string)
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
  return ANOMALY_ID.test(id) ? id : null
}

/** Finds the deep link among a process's arguments (Windows and Linux pass it there). */
export function deepLinkInArgv(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (arg.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}://`) && anomalyIdFromDeepLink(arg) !== null) return arg
  }
  return null
}
