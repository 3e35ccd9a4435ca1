import type { AppRouter } from '@anomalyze/server/router'
import { createTRPCClient, TRPCClientError, type TRPCClient, type TRPCLink } from '@trpc/client'
import { observable } from '@trpc/server/observable'
import { createTRPCContext } from '@trpc/tanstack-react-query'
import { bridge } from './core-client.ts'

/**
 * The server's tRPC API as seen from the renderer. The renderer never holds the
 * session token: every call crosses the bridge as `server.call`, and the local core
 * sends it to the signed-in server. Errors come back with the server's tRPC envelope,
 * rebuilt here into a TRPCClientError (so `error.data.fieldErrors` names the field).
 */
const coreLink: TRPCLink<AppRouter> =
  () =>
  ({ op }) =>
    observable((observer) => {
      if (op.type === 'subscription') {
        observer.error(TRPCClientError.from(new Error(`Subscriptions are not carried over the console bridge (${op.path})`)))
        return
      }
      let cancelled = false
      bridge
        .call('server.call', { type: op.type, path: op.path, input: op.input })
        .then((result) => {
          if (cancelled) return
          if (result.error === undefined) {
            observer.next({ result: { type: 'data', data: result.data } })
            observer.complete()
            return
          }
          const envelope = result.error.details?.['trpc'] as { message: string; code: number; data: unknown } | null | undefined
          observer.error(
            TRPCClientError.from(
              envelope == null
                ? { error: { message: result.error.message, code: -32603, data: { code: result.error.code, appError: result.error } } }
                : { error: envelope },
            ),
          )
        })
        .catch((error: unknown) => {
          if (!cancelled) observer.error(TRPCClientError.from(error instanceof Error ? error : new Error(String(error))))
        })
      return () => {
        cancelled = true
      }
    })

export const serverClient: TRPCClient<AppRouter> = createTRPCClient<AppRouter>({ links: [coreLink] })

type ServerQueryContext = ReturnType<typeof createTRPCContext<AppRouter>>
const context: ServerQueryContext = createTRPCContext<AppRouter>()

export const TRPCProvider: ServerQueryContext['TRPCProvider'] = context.TRPCProvider
/** `const trpc = useTRPC(); useQuery(trpc.billing.overview.queryOptions())` in components. */
export const useTRPC: ServerQueryContext['useTRPC'] = context.useTRPC

/** The field errors of a failed mutation, by field path (for inline messages). */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {}
  const data = error.data as { fieldErrors?: { path: string; message: string }[] | null } | undefined
  return Object.fromEntries((data?.fieldErrors ?? []).map((entry) => [entry.path, entry.message]))
}
