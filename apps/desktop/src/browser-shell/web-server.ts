import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream'
import { isCoreMethod, type CoreHandlers } from '../contract/handlers.ts'
import type { CoreResult } from '../contract/result.ts'
import type { Core } from '../core/create-core.ts'
import { writeBatchCsv } from '../core/scoring/export-batch.ts'
import { toCoreError } from '../core/api/to-core-error.ts'
import { writePrivateFileSync } from '@anomalyze/shared/node'

/**
 * Serves the built renderer and the core's handler map (`POST /api/<method>`, JSON in,
 * `{data}|{error}` JSON out) on loopback, so the whole console runs in a browser.
 *
 * It holds an analyst's cache, so: loopback only; the Host header must name
 * localhost (stops DNS-rebinding pages); API calls must be `application/json`
 * (a cross-site form or no-cors fetch cannot send that without a CORS preflight,
 * which this server never approves). File uploads are raw bytes, so instead they must
 * carry the `x-anomalyze-upload` header, which likewise needs a preflight cross-site.
 *
 * And it authenticates its caller, since any process or OS user on the machine can
 * reach a loopback port: at start it draws a launch key (32 random bytes) that only
 * its starter sees (stdout, and a 0600 file in the data dir). `GET /launch?key=…`
 * exchanges it, once, for a session cookie (another random value; HttpOnly,
 * SameSite=Strict); every `/api/*`, `/upload` and `/download/*` request needs that
 * cookie, or gets 401. The page's static files hold no data and load without it.
 */
export interface WebServerOptions {
  handlers: CoreHandlers
  /** Byte streams the JSON API cannot carry: CSV uploads in, scored CSVs out. */
  files?: CoreFiles
  /** Folder with the built renderer (index.html); null serves the API only. */
  rendererDir: string | null
  port: number
  host?: string
  /**
   * Called after every API call with its handler time (ms, parse + run) and the answer's
   * size (e.g. `logCallToStderr`; the CLI passes it when ANOMALYZE_LOG_CALLS=1). Every answer
   * also carries a `Server-Timing: core;dur=<ms>` header, which the page reads from
   * its resource timings (see bench/desktop.ts).
   */
  onCall?: (call: { method: string; ms: number; bytes: number }) => void
  /** The launch key to accept (tests); default: 32 fresh random bytes, base64url. */
  launchKey?: string
}

export interface StartedWebServer {
  server: Server
  url: string
  /** `<url>/launch?key=<launch key>`: opened once, it signs that browser in. */
  launchUrl: string
}

export const SESSION_COOKIE = 'anomalyze_console'
/** Where the console writes its launch URL (0600) for tools of the same OS user. */
export const LAUNCH_FILE = 'console-launch.json'

/** `<dataDir>/console-launch.json`, owner-only: `{ url, launchUrl, pid }`. */
export function writeLaunchFile(dataDir: string, started: Pick<StartedWebServer, 'url' | 'launchUrl'>): string {
  const path = join(dataDir, LAUNCH_FILE)
  writePrivateFileSync(path, `${JSON.stringify({ url: started.url, launchUrl: started.launchUrl, pid: process.pid }, null, 2)}\n`)
  return path
}

export interface CoreFiles {
  receiveUpload(body: IncomingMessage, fileName: string): Promise<{ uploadId: string; sizeBytes: number }>
  exportBatch(batchId: string, out: ServerResponse): Promise<number>
}

/** The file routes of a core: uploads to its data dir, exports from its cache. */
export function coreFiles(core: Pick<Core, 'scoring' | 'store'>): CoreFiles {
  return {
    receiveUpload: (body, fileName) => core.scoring.receiveUpload(body, fileName),
    exportBatch: (batchId, out) => writeBatchCsv(core.store.db, batchId, out),
  }
}

const MAX_BODY_BYTES = 2_000_000
const UPLOAD_HEADER = 'x-anomalyze-upload'
const DOWNLOAD_PATH = /^\/download\/batches\/([A-Za-z0-9_-]{1,100})\.csv$/
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

export async function startWebServer(options: WebServerOptions): Promise<StartedWebServer> {
  const host = options.host ?? '127.0.0.1'
  const assets = createAssetTracker()
  const launchKey = options.launchKey ?? randomBytes(32).toString('base64url')
  const auth = createAuth(launchKey)
  const server = createServer((req, res) => {
    handle(req, res, options, assets, auth).catch((error: unknown) => {
      // The detail goes to the console's stderr, not to whoever asked.
      process.stderr.write(
        `console server: ${req.method ?? '?'} ${(req.url ?? '').slice(0, 200)} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      )
      if (res.headersSent) res.destroy()
      else sendJson(res, 500, { error: { code: 'INTERNAL', message: 'The console server failed on this request (details in its terminal)' } })
    })
  })
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => resolvePromise())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const url = `http://${host}:${port}`
  return { server, url, launchUrl: `${url}/launch?key=${launchKey}` }
}

interface Auth {
  /** Exchanges the launch key for a new session id; null when it is wrong or already used. */
  exchange(key: string): string | null
  /** True when the request carries a live session cookie. */
  signedIn(req: IncomingMessage): boolean
}

function createAuth(launchKey: string): Auth {
  let key: Buffer | null = Buffer.from(launchKey)
  const sessions: Buffer[] = []
  const same = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b)
  return {
    exchange(given) {
      // Compared in constant time; a right key works once, then is gone.
      if (key === null || !same(Buffer.from(given), key)) return null
      key = null
      const session = randomBytes(32).toString('base64url')
      sessions.push(Buffer.from(session))
      return session
    },
    signedIn(req) {
      const value = cookieValue(req.headers.cookie, SESSION_COOKIE)
      if (value === null) return false
      const given = Buffer.from(value)
      let found = false
      for (const session of sessions) found = same(given, session) || found
      return found
    },
  }
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return null
}

const UNAUTHENTICATED = {
  error: {
    code: 'UNAUTHENTICATED',
    message: 'Not signed in to this console: open the launch link it printed in its terminal (or restart it to get a new one)',
  },
}

async function handle(req: IncomingMessage, res: ServerResponse, options: WebServerOptions, assets: AssetTracker, auth: Auth): Promise<void> {
  const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '')
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostHeader)) {
    sendJson(res, 403, { error: { code: 'FORBIDDEN', message: 'Only localhost may use the console server' } })
    return
  }
  const url = new URL(req.url ?? '/', 'http://localhost')
  let pathname: string
  try {
    pathname = decodeURIComponent(url.pathname)
  } catch {
    sendJson(res, 400, { error: { code: 'BAD_INPUT', message: 'Malformed URL' } })
    return
  }
  if (pathname === '/launch') {
    handleLaunch(req, res, url, auth)
    return
  }
  const needsSession = url.pathname === '/upload' || url.pathname.startsWith('/download/') || url.pathname.startsWith('/api/')
  if (needsSession && !auth.signedIn(req)) {
    sendJson(res, 401, UNAUTHENTICATED)
    return
  }
  if (url.pathname === '/upload') {
    await handleUpload(req, res, url, options.files)
    return
  }
  const download = DOWNLOAD_PATH.exec(url.pathname)
  if (download !== null && req.method === 'GET' && options.files !== undefined) {
    const batchId = download[1] as string
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="anomalyze-${batchId}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    try {
      await options.files.exportBatch(batchId, res)
    } catch (error) {
      // Headers are gone: the truncated file ends with the reason instead of a silent cut.
      res.end(`\n# export failed: ${toCoreError(error).message}\n`)
    }
    return
  }
  if (url.pathname.startsWith('/api/')) {
    // The page's code first: a core call runs synchronously (hundreds of ms for a
    // whole queue snapshot at 100,000 rows) and would hold back files being sent.
    await assets.sent(ASSETS_FIRST_MAX_MS)
    await handleApi(req, res, url.pathname.slice('/api/'.length), options.handlers, options.onCall)
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: { code: 'BAD_INPUT', message: 'Method not allowed' } })
    return
  }
  assets.track(res)
  serveStatic(res, pathname, options.rendererDir, auth.signedIn(req))
}

function handleLaunch(req: IncomingMessage, res: ServerResponse, url: URL, auth: Auth): void {
  if (req.method !== 'GET') return sendJson(res, 405, { error: { code: 'BAD_INPUT', message: 'Use GET' } })
  // A second click on the link from a browser that is already in: straight to the console.
  const session = auth.exchange(url.searchParams.get('key') ?? '')
  if (session === null && auth.signedIn(req)) {
    res.writeHead(303, { location: '/', 'cache-control': 'no-store' })
    res.end()
    return
  }
  if (session === null) {
    return sendHtml(
      res,
      401,
      'This launch link is not valid',
      'It was already used, or it is not the one this console printed. Restart the console to get a new launch link, and open it in the browser you want to use.',
    )
  }
  res.writeHead(303, {
    location: '/',
    'set-cookie': `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`,
    'cache-control': 'no-store',
    // The key must not linger in a Referer or a shared history entry.
    'referrer-policy': 'no-referrer',
  })
  res.end()
}

const PAGE_STYLE =
  'body{margin:0;background:#f4f6f9;color:#1d2330;font:15px/1.6 system-ui,sans-serif}' +
  'main{max-width:560px;margin:18vh auto;padding:28px 32px;background:#fff;border:1px solid #dde2ea;border-radius:8px}' +
  '.brand{margin:0;font-weight:600;color:#5b6577}h1{font-size:20px;margin:8px 0 12px}code{font-size:13px;background:#eef1f5;padding:1px 4px;border-radius:3px}'

function sendHtml(res: ServerResponse, status: number, title: string, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    // Nothing but this page's own inline style may load.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  res.end(
    `<!doctype html><meta charset="utf-8"><title>Anomalyze console</title><style>${PAGE_STYLE}</style>` +
      `<main><p class="brand">Anomalyze</p><h1>${title}</h1><p>${text}</p></main>\n`,
  )
}

type CallLog = NonNullable<WebServerOptions['onCall']>

/** One stderr line per API call: its method, handler time and answer size. */
export const logCallToStderr: CallLog = ({ method, ms, bytes }) => {
  process.stderr.write(`core call ${method} ${ms.toFixed(1)} ms ${bytes} B\n`)
}

async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, handlers: CoreHandlers, onCall: CallLog | undefined): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'BAD_INPUT', message: 'Use POST' } })
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return sendJson(res, 415, { error: { code: 'BAD_INPUT', message: 'Content-Type must be application/json' } })
  }
  if (!isCoreMethod(method)) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `No method ${method}` } })
  let args: unknown
  try {
    const body = await readBody(req)
    args = body.length === 0 ? {} : (JSON.parse(body) as unknown)
  } catch (error) {
    return sendJson(res, 400, { error: { code: 'BAD_INPUT', message: error instanceof Error ? error.message : 'Bad JSON' } })
  }
  const call = handlers[method] as (a: unknown) => Promise<CoreResult<unknown>>
  const started = performance.now()
  const result = await call(args)
  const text = JSON.stringify(result)
  const ms = performance.now() - started
  // Domain errors are answers, not transport failures: always 200 with {error}.
  sendJsonText(res, 200, text, { 'server-timing': `core;dur=${ms.toFixed(1)}` })
  onCall?.({ method, ms, bytes: Buffer.byteLength(text) })
}

async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, files: CoreFiles | undefined): Promise<void> {
  if (files === undefined) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'Uploads are not served here' } })
  if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'BAD_INPUT', message: 'Use POST' } })
  if (req.headers[UPLOAD_HEADER] !== '1') {
    return sendJson(res, 403, { error: { code: 'FORBIDDEN', message: `Uploads need the ${UPLOAD_HEADER} header` } })
  }
  try {
    const result = await files.receiveUpload(req, url.searchParams.get('name') ?? 'upload.csv')
    sendJson(res, 200, { data: result })
  } catch (error) {
    sendJson(res, 200, { error: toCoreError(error) })
  }
}

const ASSETS_FIRST_MAX_MS = 500

interface AssetTracker {
  track(res: ServerResponse): void
  /** Resolves once no file is being sent (or after maxMs, so a stalled download never blocks the API). */
  sent(maxMs: number): Promise<void>
}

function createAssetTracker(): AssetTracker {
  const sending = new Set<ServerResponse>()
  let waiters: Array<() => void> = []
  return {
    track(res) {
      sending.add(res)
      res.once('close', () => {
        sending.delete(res)
        if (sending.size > 0) return
        const done = waiters
        waiters = []
        for (const resolve of done) resolve()
      })
    },
    sent(maxMs) {
      if (sending.size === 0) return Promise.resolve()
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, maxMs)
        waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    },
  }
}

function serveStatic(res: ServerResponse, pathname: string, rendererDir: string | null, signedIn: boolean): void {
  if (rendererDir === null) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'No renderer build' } })
  const root = resolve(rendererDir)
  let file = normalize(join(root, pathname))
  if (file !== root && !file.startsWith(root + sep)) return sendJson(res, 403, { error: { code: 'FORBIDDEN', message: 'Outside the app' } })
  // Unknown paths fall back to the single page.
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html')
  // The page itself only for a signed-in browser; its scripts and styles hold no data.
  if (!signedIn && file === join(root, 'index.html')) {
    return sendHtml(
      res,
      401,
      'Open the launch link printed in the terminal',
      'This console only answers the browser that opened its launch link (<code>http://127.0.0.1:…/launch?key=…</code>, printed where the console was started, and kept in <code>console-launch.json</code> in its data folder).',
    )
  }
  if (!existsSync(file)) {
    return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `Renderer not built: run "pnpm --filter @anomalyze/desktop build" (looked in ${root})` } })
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
    'x-content-type-options': 'nosniff',
  })
  // pipeline, not pipe: a file that vanishes or cannot be read mid-response ends this
  // one response instead of throwing an unhandled stream error in the console.
  pipeline(createReadStream(file), res, () => undefined)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`Request body over ${MAX_BODY_BYTES} bytes`))
        req.destroy()
      } else chunks.push(chunk)
    })
    req.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body))
}

function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers })
  res.end(text)
}
