import type { AppRouter } from '@anomalyze/server/router'
import { createTRPCClient, getUntypedClient, httpLink, TRPCClientError } from '@trpc/client'
import type { AnyRouter } from '@trpc/server'
import { z } from 'zod'
import {
  AppError,
  isAppErrorCode,
  LABEL_KINDS,
  pullQueryString,
  SYNC_NEXT_CURSOR_HEADER,
  SYNC_PULL_PATH,
  ZPullOutput,
  ZPushOutput,
  type TDecisionInput,
  type TPullInput,
  type TPullOutput,
  type TPushOutput,
} from '@anomalyze/shared'
import { PERMISSION_NEEDS, ROLES, type Permission } from '../../contract/profile.ts'

/**
 * The only file that knows how the server is reached: a tRPC client typed by the
 * server's router (type-only import, nothing of the server is bundled). Answers are
 * still parsed with the shared contract's schemas, because a console build meets
 * servers of other versions.
 */
const ZOrgMembership = z.object({
  id: z.string(),
  name: z.string(),
  personal: z.boolean(),
  role: z.enum(ROLES).nullable(),
})

/**
 * `me.get`. The organisation, permissions and other organisations came with teams: an
 * older server leaves them out, and the console then offers every control (the server
 * still refuses what it must).
 */
export const ZServerUser = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  mode: z.enum(['local', 'clerk', 'apikey']),
  org: ZOrgMembership.nullable().optional(),
  // Unknown names (a newer server's) are kept out rather than failing the sign-in.
  permissions: z
    .array(z.string())
    .transform((names) => names.filter((name): name is Permission => Object.hasOwn(PERMISSION_NEEDS, name)))
    .nullable()
    .optional(),
  organizations: z.array(ZOrgMembership).optional(),
})
export type ServerUser = z.infer<typeof ZServerUser>

/** members.* answers (Members view). */
export const ZMember = z.object({
  userId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  role: z.enum(ROLES),
  joinedAt: z.number(),
})
export const ZAddedMember = z.object({ member: ZMember, token: z.string() })

/** apiKeys.* answers (API keys view): the secret only in create's, once. */
export const ZApiKey = z.object({
  id: z.string(),
  name: z.string(),
  keyPrefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
})
export const ZCreatedApiKey = ZApiKey.extend({ secret: z.string() })

/** anomalies.history: every decision on an anomaly, newest first, superseded ones included. */
export const ZDecisionHistory = z.array(
  z.object({
    mutationId: z.string(),
    label: z.enum(LABEL_KINDS),
    note: z.string().nullable(),
    decidedBy: z.string(),
    decidedById: z.string().nullable(),
    decidedAt: z.number(),
    receivedAt: z.number(),
    inForce: z.boolean(),
    supersededAt: z.number().nullable(),
  }),
)

/** Where one pulled page's time went (the bench's breakdown); absent from test doubles. */
export interface PullTiming {
  /** Postgres, as the server's Server-Timing header says; null when not told (tRPC fallback). */
  serverDbMs: number | null
  /** From sending the request to the last byte of the answer (includes serverDbMs). */
  requestMs: number
  /** JSON.parse and the contract check of the answer. */
  decodeMs: number
}

export type PulledPage = TPullOutput & { timing?: PullTiming }

export interface ServerClient {
  pull(input: TPullInput): Promise<PulledPage>
  push(input: { decisions: TDecisionInput[] }): Promise<TPushOutput>
  me(): Promise<ServerUser>
  /** Any other procedure, for the console's online screens (billing, reports...). */
  call(type: 'query' | 'mutation', path: string, input: unknown): Promise<unknown>
}

export interface ServerClientOptions {
  /** Base URL of the server (http://host:port); `/trpc` is appended. */
  serverUrl: string
  token: string
  fetch?: typeof globalThis.fetch
}

export type ServerClientFactory = (options: ServerClientOptions) => ServerClient

export const createServerClient: ServerClientFactory = (options) => {
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: trpcUrl(options.serverUrl),
        headers: () => ({ authorization: `Bearer ${options.token}` }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      }),
    ],
  })
  const httpPull = createHttpPull(options)
  // Until the server says it has no GET /sync/pull (an older server): then tRPC.
  let routeMissing = false
  return {
    pull: async (input) => {
      if (!routeMissing) {
        const page = await httpPull(input)
        if (page !== null) return page
        routeMissing = true
      }
      const start = performance.now()
      const answer = await client.sync.pull.query(input)
      const received = performance.now()
      const page = ZPullOutput.parse(answer)
      return { ...page, timing: { serverDbMs: null, requestMs: received - start, decodeMs: performance.now() - received } }
    },
    push: async (input) => ZPushOutput.parse(await client.sync.push.mutate(input)),
    me: async () => ZServerUser.parse(await client.me.get.query()),
    call: async (type, path, input) => {
      const untyped = getUntypedClient(client)
      try {
        return type === 'query' ? await untyped.query(path, input) : await untyped.mutation(path, input)
      } catch (error) {
        throw toAppError(error)
      }
    },
  }
}

const UNAUTHORIZED_MESSAGE = 'The server did not accept the sign-in token. Sign in again.'

/**
 * The pull over plain HTTP (contract: SYNC_PULL_PATH): the server sends the page as
 * Postgres wrote it, and this side parses it once. Null when the server has no such
 * route (404).
 *
 * The answer's headers carry the next cursor, so the request for the next page goes
 * out as soon as they arrive: Postgres reads page n+1 while page n is still being
 * received, parsed and stored. At most one such request runs ahead, and only for a
 * page the caller has asked for; the caller asks for the next page with exactly the
 * input it would have used (the sync engine does), or the request runs again.
 * Nothing is stored here, so resuming after a crash is unchanged.
 */
function createHttpPull(options: ServerClientOptions): (input: TPullInput) => Promise<PulledPage | null> {
  const doFetch = options.fetch ?? globalThis.fetch
  const base = trpcUrl(options.serverUrl).replace(/\/trpc$/, '')
  let ahead: { query: string; flight: Flight } | null = null

  const start = (query: string): Flight => {
    const started = performance.now()
    const response = doFetch(`${base}${SYNC_PULL_PATH}?${query}`, {
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
    }).catch((error: unknown) => {
      throw offline(error)
    })
    const page = response.then(async (answer): Promise<PulledPage | null> => {
      let text: string
      try {
        text = await answer.text()
      } catch (error) {
        // The connection dropped mid-page.
        throw offline(error)
      }
      if (answer.status === 404) return null
      if (answer.status < 200 || answer.status >= 300) throw syncHttpErrorOf(answer.status, text)
      const received = performance.now()
      const parsed = ZPullOutput.parse(JSON.parse(text))
      const serverDbMs = serverDbMsOf(answer.headers.get('server-timing'))
      return { ...parsed, timing: { serverDbMs, requestMs: received - started, decodeMs: performance.now() - received } }
    })
    // A request run ahead may never be claimed (the run failed or ended): never an unhandled rejection.
    page.catch(() => {})
    return { response, page }
  }

  return (input) => {
    const query = pullQueryString(input)
    const flight = ahead?.query === query ? ahead.flight : start(query)
    ahead = null
    void flight.response.then(
      (answer) => {
        const next = answer.ok ? answer.headers.get(SYNC_NEXT_CURSOR_HEADER) : null
        if (next === null || ahead !== null) return
        const nextQuery = pullQueryString({ cursor: next, ...(input.limit === undefined ? {} : { limit: input.limit }), withTotal: false })
        ahead = { query: nextQuery, flight: start(nextQuery) }
      },
      () => {},
    )
    return flight.page
  }
}

interface Flight {
  /** Settles when the headers arrive. */
  response: Promise<Response>
  page: Promise<PulledPage | null>
}

function offline(error: unknown): SyncHttpError {
  return new SyncHttpError('offline', null, `Server unreachable: ${error instanceof Error ? error.message : String(error)}`)
}

/** A failed plain-HTTP sync call, already sorted the way classifySyncError sorts tRPC errors. */
export class SyncHttpError extends Error {
  constructor(
    readonly kind: SyncFailureKind,
    readonly status: number | null,
    message: string,
  ) {
    super(message)
    this.name = 'SyncHttpError'
  }
}

function syncHttpErrorOf(status: number, body: string): SyncHttpError {
  let code = `HTTP ${status}`
  let message = body.slice(0, 200)
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }
    if (typeof parsed.error?.code === 'string') code = parsed.error.code
    if (typeof parsed.error?.message === 'string') message = parsed.error.message
  } catch {
    // Not the server's error shape (a proxy's page): the start of the body says enough.
  }
  if (status === 401) return new SyncHttpError('unauthorized', status, UNAUTHORIZED_MESSAGE)
  return new SyncHttpError('server', status, `Server error (${code}): ${message}`)
}

function serverDbMsOf(header: string | null): number | null {
  const match = header === null ? null : /(?:^|,)\s*db;dur=([\d.]+)/.exec(header)
  return match?.[1] === undefined ? null : Number(match[1])
}

const APP_CODE_FOR_TRPC: Record<string, AppError['code']> = {
  BAD_REQUEST: 'BAD_INPUT',
  PARSE_ERROR: 'BAD_INPUT',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'LIMIT_EXCEEDED',
  PAYLOAD_TOO_LARGE: 'LIMIT_EXCEEDED',
  SERVICE_UNAVAILABLE: 'UNAVAILABLE',
}

/**
 * A server error as core data: the server's own code and message, and the tRPC error
 * envelope in `details.trpc`, so the renderer's tRPC link can rebuild the same error
 * (field errors and all) on its side of the bridge.
 */
export function toAppError(error: unknown): AppError {
  if (!(error instanceof TRPCClientError)) return new AppError('INTERNAL', error instanceof Error ? error.message : String(error))
  const failure = classifySyncError(error)
  const data = (error as TRPCClientError<AnyRouter>).data as { code?: string; appError?: { code?: unknown } | null } | undefined
  const appCode = data?.appError?.code
  const code = isAppErrorCode(appCode) ? appCode : failure.kind === 'offline' ? 'UNAVAILABLE' : (APP_CODE_FOR_TRPC[data?.code ?? ''] ?? 'INTERNAL')
  const message = failure.kind === 'offline' ? failure.message : error.message
  return new AppError(code, message, { trpc: (error as TRPCClientError<AnyRouter>).shape ?? null })
}

export function trpcUrl(serverUrl: string): string {
  const base = serverUrl.replace(/\/+$/, '')
  return base.endsWith('/trpc') ? base : `${base}/trpc`
}

export type SyncFailureKind = 'offline' | 'unauthorized' | 'server'

/** Sorts a failed call into what the status bar says and whether to retry later. */
export function classifySyncError(error: unknown): { kind: SyncFailureKind; message: string } {
  if (error instanceof SyncHttpError) return { kind: error.kind, message: error.message }
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AnyRouter>).data as { code?: string; httpStatus?: number } | undefined
    if (data?.code === 'UNAUTHORIZED' || data?.httpStatus === 401) {
      return { kind: 'unauthorized', message: UNAUTHORIZED_MESSAGE }
    }
    if (data === undefined || data === null) {
      // No tRPC error body: the request never reached a tRPC server.
      return { kind: 'offline', message: `Server unreachable: ${error.message}` }
    }
    return { kind: 'server', message: `Server error (${data.code ?? data.httpStatus ?? 'unknown'}): ${error.message}` }
  }
  if (error instanceof z.ZodError) {
    return { kind: 'server', message: `The server's answer does not match sync protocol v1: ${z.prettifyError(error)}` }
  }
  return { kind: 'server', message: error instanceof Error ? error.message : String(error) }
}
