import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppError, isAppErrorCode } from '@anomalyze/shared'
import { z } from 'zod'

export interface PostBatchFileOptions {
  /** Base URL of the server (as signed in; a trailing /trpc is dropped). */
  serverUrl: string
  token: string
  path: string
  fileName: string
  /** `column=field,...` overrides; '' sends none. */
  map: string
  /** Bytes handed to the socket so far, of the file's size. */
  onProgress?: (sentBytes: number, totalBytes: number) => void
}

const ZCreated = z.object({
  id: z.string(),
  status: z.literal('QUEUED'),
  fileName: z.string(),
  totalRows: z.number().int(),
  sizeBytes: z.number().int(),
})
export type CreatedServerJob = z.infer<typeof ZCreated>

const ZErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).nullable().optional() }) })
const MAX_ANSWER_BYTES = 1 << 20

/**
 * Streams a file from disk to the server's `POST /batch-jobs` (the file is read in
 * chunks as the socket drains, never held), with the session's Bearer token. The
 * server may answer before the body is done (bad token, over the size limit): its
 * answer is what the analyst sees, and the rest of the file is not sent.
 */
export async function postBatchFile(options: PostBatchFileOptions): Promise<CreatedServerJob> {
  const url = new URL(`${options.serverUrl.replace(/\/+$/, '').replace(/\/trpc$/, '')}/batch-jobs`)
  url.searchParams.set('fileName', options.fileName)
  if (options.map !== '') url.searchParams.set('map', options.map)
  const totalBytes = (await stat(options.path)).size
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const req = send(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.token}`, 'content-type': 'text/csv', 'content-length': String(totalBytes) },
  })
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve)
    req.once('error', reject)
  })
  let sent = 0
  const file = createReadStream(options.path)
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length
      options.onProgress?.(sent, totalBytes)
      callback(null, chunk)
    },
  })
  // A failed send shows up as the request's error (or an early answer): not awaited here.
  const sending = pipeline(file, counter, req).catch(() => {})
  let response: IncomingMessage
  try {
    response = await answered
  } catch (error) {
    file.destroy()
    throw unreachable(url, error, sent, totalBytes)
  }
  const text = await readAnswer(response)
  // An early answer (a refusal): stop reading the file, the server will not read the rest.
  file.destroy()
  await sending
  const status = response.statusCode ?? 0
  if (status === 202 || status === 200) {
    const parsed = ZCreated.safeParse(safeJson(text))
    if (!parsed.success) throw new AppError('INTERNAL', `The server's answer to the upload is not a batch job: ${text.slice(0, 200)}`)
    return parsed.data
  }
  throw serverRefusal(status, text, response.headers['retry-after'])
}

function unreachable(url: URL, error: unknown, sent: number, total: number): AppError {
  const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))
  if (sent === 0) return new AppError('UNAVAILABLE', `Server unreachable at ${url.origin} (${code}). The file was not sent.`, { reason: code })
  // The server refuses an over-limit file mid-body and closes the connection; the
  // reset can reach this side before its answer is read, so say what it most likely was.
  return new AppError(
    'UNAVAILABLE',
    `The server closed the connection after ${mb(sent)} of ${mb(total)} (${code}) without an answer the console could read. ` +
      "A file over the server's upload limit ends this way: split it into smaller files. The server keeps nothing of a partial upload.",
    { reason: code, sentBytes: sent, totalBytes: total },
  )
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/** The server's own error (code, message, details such as limits) when it gave one. */
function serverRefusal(status: number, text: string, retryAfter: string | undefined): AppError {
  const body = ZErrorBody.safeParse(safeJson(text))
  const extra = { httpStatus: status, ...(retryAfter === undefined ? {} : { retryAfterSeconds: Number(retryAfter) }) }
  if (body.success && isAppErrorCode(body.data.error.code)) {
    return new AppError(body.data.error.code, `The server refused the upload: ${body.data.error.message}`, { ...(body.data.error.details ?? {}), ...extra })
  }
  const code =
    status === 401
      ? 'UNAUTHENTICATED'
      : status === 403
        ? 'FORBIDDEN'
        : status === 413 || status === 429
          ? 'LIMIT_EXCEEDED'
          : status >= 500
            ? 'UNAVAILABLE'
            : 'BAD_INPUT'
  const why =
    status === 413
      ? 'the file is larger than the server accepts'
      : status === 429
        ? 'too many requests, try again later'
        : text.slice(0, 300) || 'no reason given'
  return new AppError(code, `The server refused the upload (HTTP ${status}): ${why}`, extra)
}

async function readAnswer(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > MAX_ANSWER_BYTES) break
      chunks.push(chunk)
    }
  } catch {
    // The server closed the connection after answering a refusal: keep what it said.
  }
  return Buffer.concat(chunks).toString('utf8')
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}
