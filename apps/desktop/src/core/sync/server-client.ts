import { createTRPCUntypedClient, httpLink, TRPCClientError, type TRPCUntypedClient } from '@trpc/client'
import type { AnyRouter } from '@trpc/server'
import { z } from 'zod'
import { ZPullOutput, ZPushOutput, type TDecisionInput, type TPullInput, type TPullOutput, type TPushOutput } from '@anomalyze/shared'

/**
 * The only file that knows how the server is reached. Until the server's router type
 * exists (`import type { AppRouter } from '@anomalyze/server/router'`) the client is
 * untyped and every answer is parsed with the shared contract's zod schemas; swapping
 * in `createTRPCClient<AppRouter>` later changes this file only.
 */
export const ZServerUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  mode: z.enum(['local', 'clerk']),
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
  const client: TRPCUntypedClient<AnyRouter> = createTRPCUntypedClient({
    links: [
      httpLink({
        url: trpcUrl(options.serverUrl),
        headers: () => ({ authorization: `Bearer ${options.token}` }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      }),
    ],
  })
  return {
    pull: async (input) => ZPullOutput.parse(await client.query('sync.pull', input)),
    push: async (input) => ZPushOutput.parse(await client.mutation('sync.push', input)),
    me: async () => ZServerUser.parse(await client.query('me.get')),
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
