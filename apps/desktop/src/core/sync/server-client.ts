import type { AppRouter } from '@anomalyze/server/router'
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client'
import type { AnyRouter } from '@trpc/server'
import { z } from 'zod'
import { ZPullOutput, ZPushOutput, type TDecisionInput, type TPullInput, type TPullOutput, type TPushOutput } from '@anomalyze/shared'

/**
 * The only file that knows how the server is reached: a tRPC client typed by the
 * server's router (type-only import, nothing of the server is bundled). Answers are
 * still parsed with the shared contract's schemas, because a console build meets
 * servers of other versions.
 */
export const ZServerUser = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  mode: z.enum(['local', 'clerk', 'apikey']),
})
export type ServerUser = z.infer<typeof ZServerUser>

export interface ServerClient {
  pull(input: TPullInput): Promise<TPullOutput>
  push(input: { decisions: TDecisionInput[] }): Promise<TPushOutput>
  me(): Promise<ServerUser>
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
  return {
    pull: async (input) => ZPullOutput.parse(await client.sync.pull.query(input)),
    push: async (input) => ZPushOutput.parse(await client.sync.push.mutate(input)),
    me: async () => ZServerUser.parse(await client.me.get.query()),
  }
}

export function trpcUrl(serverUrl: string): string {
  const base = serverUrl.replace(/\/+$/, '')
  return base.endsWith('/trpc') ? base : `${base}/trpc`
}

export type SyncFailureKind = 'offline' | 'unauthorized' | 'server'

/** Sorts a failed call into what the status bar says and whether to retry later. */
export function classifySyncError(error: unknown): { kind: SyncFailureKind; message: string } {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AnyRouter>).data as { code?: string; httpStatus?: number } | undefined
    if (data?.code === 'UNAUTHORIZED' || data?.httpStatus === 401) {
      return { kind: 'unauthorized', message: 'The server did not accept the sign-in token. Sign in again.' }
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
