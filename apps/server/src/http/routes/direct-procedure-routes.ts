import { fastifyRequestHandler } from '@trpc/server/adapters/fastify'
import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import { callProcedure, getErrorShape, getTRPCErrorFromUnknown } from '@trpc/server/unstable-core-do-not-import'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { appRouter } from '../../trpc/app-router.ts'
import type { Context } from '../../trpc/context.ts'
import { contextFor, trpcHttpOptions, type TrpcHttpDeps } from '../../trpc/http-options.ts'

/** The mutations served directly: the real-time ingestion call (its procedure calls services/ingestion/ingest-api-call.ts), made a hundred times a second. */
export const DIRECT_MUTATIONS = ['ingest.transactions'] as const

/**
 * `POST /trpc/<path>` for the hot mutations above, in the same wire format as tRPC's
 * HTTP adapter (`{"result":{"data":...}}` or `{"error":{...}}` with the same status
 * and headers), without its per-request machinery: the adapter turns every call into a
 * Web `Request` with `Headers`, an `AbortSignal` and a body stream, about 1 ms of CPU
 * that a one-transaction call paid as much as for its own work.
 *
 * Only the plain form is served here: one unbatched call with a JSON body. It goes
 * through the same procedure (middlewares, input validation, error formatter, so an
 * internal error is answered as generically) and the same context and error log as
 * every tRPC call; the server's onSend hook adds the same security headers. Anything
 * else (batched or streamed calls, an unparsable body) is handed to tRPC's own
 * handler, which answers it exactly as before; test/direct-procedure-routes.test.ts
 * compares the two byte for byte.
 */
export function directProcedureRoutes(deps: TrpcHttpDeps): FastifyPluginAsync {
  const options = trpcHttpOptions(deps)
  const config = appRouter._def._config
  return async (app) => {
    // The body as text, as the tRPC plugin reads it (this plugin is encapsulated: other
    // routes keep Fastify's JSON parser). Other content types get Fastify's 415, as on the plugin.
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body))

    for (const path of DIRECT_MUTATIONS) {
      app.post(`/trpc/${path}`, async (request, reply) => {
        const input = plainCallInput(request)
        if (input === NOT_PLAIN) return fastifyRequestHandler({ ...options, req: request, res: reply, path })

        let ctx: Context | undefined
        let body: unknown
        try {
          // Inside the try: a context that cannot be built is answered as tRPC's
          // adapter answers it (an internal error naming the request id).
          ctx = await contextFor(deps, request)
          const data: unknown = await callProcedure({
            router: appRouter,
            path,
            type: 'mutation',
            getRawInput: async () => input,
            ctx,
            signal: undefined,
            batchIndex: 0,
          })
          body = { result: { data } }
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause)
          options.onError?.({ error, path, input, ctx, type: 'mutation', req: request })
          reply.code(getHTTPStatusCodeFromError(error))
          body = { error: getErrorShape({ config, ctx, error, input, path, type: 'mutation' }) }
        }
        // A Buffer, so that Fastify sends the content type as tRPC does (no charset added).
        return reply
          .header('vary', 'trpc-accept, accept')
          .header('content-type', 'application/json')
          .send(Buffer.from(JSON.stringify(body)))
      })
    }
  }
}

const NOT_PLAIN = Symbol('not a plain call')

/** The input of a plain call, or NOT_PLAIN when tRPC's handler should answer. */
function plainCallInput(request: FastifyRequest): unknown {
  const query = request.query as Record<string, unknown>
  if (query.batch !== undefined || request.headers['trpc-accept'] !== undefined) return NOT_PLAIN
  const text = request.body
  if (typeof text !== 'string') return NOT_PLAIN
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return NOT_PLAIN
  }
}
