import { initTRPC, TRPCError } from '@trpc/server'
import { ZodError } from 'zod'
import { AppError } from '@anomalyze/shared'
import { authorize, type Permission } from '../auth/permissions.ts'
import { principalOf } from './acting-principal.ts'
import type { Context } from './context.ts'
import { ContextFailure, internalAppError, TRPC_CODE_FOR } from './error-mapping.ts'

/**
 * One error shape for every client: tRPC's envelope, plus `data.appError` for domain
 * errors ({ code, message, details }) and `data.fieldErrors` for invalid input
 * (one entry per field path, with zod's message).
 *
 * An internal error (anything but an AppError or invalid input: a bug, a database
 * failure) is answered generically, "Internal error; quote request id <id> to
 * support", with `appError` { code: 'INTERNAL', details: { requestId } }: its own
 * message and stack stay in the server's log (trpc/http-options.ts, onError).
 */
const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error, ctx }) {
    const cause = error.cause
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      const requestId = ctx?.request.requestId ?? (cause instanceof ContextFailure ? cause.requestId : undefined)
      const appError = internalAppError(requestId)
      return { ...shape, message: appError.message, data: { ...shape.data, stack: undefined, appError, fieldErrors: null } }
    }
    return {
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        appError: cause instanceof AppError ? { code: cause.code, message: cause.message, details: cause.details } : null,
        fieldErrors: cause instanceof ZodError ? fieldErrorsOf(cause) : null,
      },
    }
  },
})

/** One entry per field path, in the order zod found them; several messages on one field joined. */
function fieldErrorsOf(error: ZodError): { path: string; message: string }[] {
  const byPath = new Map<string, string[]>()
  for (const issue of error.issues) {
    const path = issue.path.join('.')
    const messages = byPath.get(path) ?? []
    if (!messages.includes(issue.message)) messages.push(issue.message)
    byPath.set(path, messages)
  }
  return [...byPath].map(([path, messages]) => ({ path, message: messages.join('; ') }))
}

/** Services throw AppError; this turns it into the matching tRPC error once. */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next()
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause
    throw new TRPCError({ code: TRPC_CODE_FOR[cause.code], message: cause.message, cause })
  }
  return result
})

export const router = t.router
export const createCallerFactory = t.createCallerFactory
export const publicProcedure = t.procedure.use(mapAppErrors)

/** Requires a signed-in caller; `ctx.orgId` (the organisation) scopes every query that follows. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (ctx.authError) throw ctx.authError
  if (!ctx.session) throw new AppError('UNAUTHENTICATED', 'Sign in first: send "Authorization: Bearer <token>"')
  return next({ ctx: { ...ctx, session: ctx.session, orgId: ctx.session.orgId } })
})

/**
 * Puts the acting principal on the context as `ctx.actor` (acting-principal.ts): what
 * procedures that write audit rows or decisions pass to their service.
 */
const withActor = t.middleware(({ ctx, next }) => {
  const { session } = ctx
  if (!session) throw new AppError('UNAUTHENTICATED', 'Sign in first: send "Authorization: Bearer <token>"')
  return next({ ctx: { actor: principalOf(session, ctx.request) } })
})

/**
 * A procedure open to callers holding `permission`: members whose role reaches it, API
 * keys carrying its scope (auth/permissions.ts, the one table of who may do what).
 */
export function allowed(permission: Permission) {
  return protectedProcedure
    .use(({ ctx, next }) => {
      authorize(ctx.session, permission)
      return next()
    })
    .use(withActor)
}
