import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { isCoreMethod, type CoreHandlers } from '../contract/handlers.ts'
import type { CoreResult } from '../contract/result.ts'
import type { Core } from './create-core.ts'
import { writeBatchCsv } from './scoring/export-batch.ts'
import { toCoreError } from './api/to-core-error.ts'

/**
 * Serves the built renderer and the core's handler map (`POST /api/<method>`, JSON in,
 * `{data}|{error}` JSON out) on loopback, so the whole console runs in a browser.
 *
 * It holds an analyst's cache, so: loopback only; the Host header must name
 * localhost (stops DNS-rebinding pages); API calls must be `application/json`
 * (a cross-site form or no-cors fetch cannot send that without a CORS preflight,
 * which this server never approves). File uploads are raw bytes, so instead they must
 * carry the `x-anomalyze-upload` header, which likewise needs a preflight cross-site.
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
   * size; default: one stderr line per call when ANOMALYZE_LOG_CALLS=1. Every answer
   * also carries a `Server-Timing: core;dur=<ms>` header, which the page reads from
   * its resource timings (see bench/desktop.ts).
   */
  onCall?: (call: { method: string; ms: number; bytes: number }) => void
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

export async function startWebServer(options: WebServerOptions): Promise<{ server: Server; url: string }> {
  const host = options.host ?? '127.0.0.1'
  const assets = createAssetTracker()
  const server = createServer((req, res) => {
    handle(req, res, options, assets).catch((error: unknown) => {
      sendJson(res, 500, { error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) } })
    })
  })
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => resolvePromise())
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  return { server, url: `http://${host}:${port}` }
}

async function handle(req: IncomingMessage, res: ServerResponse, options: WebServerOptions, assets: AssetTracker): Promise<void> {
  const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '')
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostHeader)) {
    sendJson(res, 403, { error: { code: 'FORBIDDEN', message: 'Only localhost may use the console server' } })
    return
  }
  const url = new URL(req.url ?? '/', 'http://localhost')
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
    await handleApi(req, res, url.pathname.slice('/api/'.length), options.handlers, options.onCall ?? defaultCallLog())
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: { code: 'BAD_INPUT', message: 'Method not allowed' } })
    return
  }
  assets.track(res)
  serveStatic(res, url.pathname, options.rendererDir)
}

type CallLog = NonNullable<WebServerOptions['onCall']>

function defaultCallLog(): CallLog | undefined {
  if (process.env.ANOMALYZE_LOG_CALLS !== '1') return undefined
  return ({ method, ms, bytes }) => process.stderr.write(`core call ${method} ${ms.toFixed(1)} ms ${bytes} B\n`)
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

function serveStatic(res: ServerResponse, pathname: string, rendererDir: string | null): void {
  if (rendererDir === null) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'No renderer build' } })
  const root = resolve(rendererDir)
  let file = normalize(join(root, decodeURIComponent(pathname)))
  if (file !== root && !file.startsWith(root + sep)) return sendJson(res, 403, { error: { code: 'FORBIDDEN', message: 'Outside the app' } })
  // Unknown paths fall back to the single page.
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html')
  if (!existsSync(file)) {
    return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `Renderer not built: run "pnpm --filter @anomalyze/desktop build" (looked in ${root})` } })
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
    'x-content-type-options': 'nosniff',
  })
  createReadStream(file).pipe(res)
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
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers })
  res.end(text)
}
