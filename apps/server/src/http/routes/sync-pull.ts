import type { FastifyPluginAsync } from 'fastify'
import { AppError, SYNC_NEXT_CURSOR_HEADER, SYNC_PULL_PATH, ZPullQuery } from '@anomalyze/shared'
import type { Authenticator } from '../../auth/session.ts'
import type { Db } from '../../db/prisma.ts'
import { pullChangesJson } from '../../services/sync/pull-changes.ts'
import { authenticateRoute } from '../authenticate-route.ts'

/**
 * `GET /sync/pull?cursor=...&limit=...&withTotal=0|1`: the sync.pull procedure as a
 * plain route (packages/shared/src/sync/contract.ts, SYNC_PULL_PATH), authenticated
 * like tRPC (a user's Bearer token, or an API key with `anomalies:read`). A plain
 * route because a page of 1,000 anomalies is about 1 MB of JSON that Postgres has
 * already written: through tRPC the server parsed it, checked it against the output
 * schema and serialised it again, about 8 s of CPU in a 100,000-row first sync.
 * Refusals are answered by the server's error handler (http-errors.ts), as tRPC would.
 * `Server-Timing: db;dur=...` says how long Postgres took, for the desktop's figures.
 */
export function syncPullRoutes(db: Db, authenticator: Authenticator): FastifyPluginAsync {
  return async (app) => {
    app.get(SYNC_PULL_PATH, async (request, reply) => {
      const session = await authenticateRoute(request, db, authenticator, 'anomalies:read')
      const query = ZPullQuery.safeParse(request.query)
      if (!query.success) {
        const issue = query.error.issues[0]
        throw new AppError('BAD_INPUT', `${issue?.path.join('.') ?? 'query'}: ${issue?.message ?? 'invalid'}`, {
          field: issue?.path.join('.') ?? null,
        })
      }
      const page = await pullChangesJson(db, session.orgId, query.data)
      request.log.debug({ rows: page.count, queryMs: Math.round(page.queryMs) }, 'sync page served')
      // The next cursor also in a header (SYNC_NEXT_CURSOR_HEADER): a desktop can ask
      // for the next page while this one's body is still arriving and being parsed.
      if (page.hasMore && page.nextCursor !== null) reply.header(SYNC_NEXT_CURSOR_HEADER, page.nextCursor)
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('server-timing', `db;dur=${page.queryMs.toFixed(1)}`)
        .send(page.json)
    })
  }
}
