import type { Session } from '../../src/auth/session.ts'
import type { Db } from '../../src/db/prisma.ts'
import { appRouter } from '../../src/trpc/app-router.ts'
import { createContextInner } from '../../src/trpc/context.ts'
import { createCallerFactory } from '../../src/trpc/init.ts'
import { testLogger } from './silent-logger.ts'

const createCaller = createCallerFactory(appRouter)

/** Calls procedures directly (no HTTP) as the given user. */
export function callerFor(db: Db, userId: string, overrides: Partial<Session> = {}) {
  const session: Session = { userId, name: userId, via: 'local', scopes: 'all', ...overrides }
  return createCaller(createContextInner({ db, log: testLogger, session }))
}
