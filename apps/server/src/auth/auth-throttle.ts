import { AppError } from '@anomalyze/shared'

/**
 * Failed authentications, counted in memory per API key prefix and per client address
 * over a sliding window. Past a limit, that prefix or address is answered 429
 * (LIMIT_EXCEEDED, `details.retryAfterSeconds`, and a Retry-After header: see
 * installRetryAfterHeader) without any bcrypt compare, until its oldest counted failure
 * leaves the window. Attempts that need a bcrypt compare are counted when they start
 * (and given back when they succeed), so a burst of parallel guesses cannot queue more
 * compares than the limit before the first one fails.
 *
 * Per process: each server instance counts its own, which bounds the work a guesser
 * can cause on each one.
 */
export interface AuthThrottleOptions {
  /** Failures per key prefix in the window before it is throttled. */
  prefixLimit?: number
  /** Failures per client address in the window before it is throttled. */
  addressLimit?: number
  windowMs?: number
  now?: () => number
}

export const AUTH_THROTTLE_DEFAULTS = { prefixLimit: 10, addressLimit: 30, windowMs: 60_000 } as const

/** Who is authenticating, as far as the throttle cares (a FastifyRequest fits). */
export interface AuthClient {
  ip?: string | undefined
}

export interface ThrottleSubject {
  /** The API key's public prefix (`sk_live_<keyId>`), when the token is an API key. */
  prefix?: string | undefined
  address?: string | undefined
}

/** A counted attempt: `succeeded()` gives it back. */
export interface AttemptTicket {
  succeeded(): void
}

export interface AuthThrottle {
  /** Milliseconds until the subject may try again, or 0 when it is not throttled. */
  retryAfterMs(subject: ThrottleSubject): number
  /** Counts a failure that has already happened (no compare was needed to know). */
  fail(subject: ThrottleSubject): void
  /** Counts an attempt about to run a compare; `succeeded()` uncounts it. */
  attempt(subject: ThrottleSubject): AttemptTicket
  /** The refusal to throw for a throttled subject. */
  refusal(subject: ThrottleSubject, retryAfterMs: number): AppError
}

/** Entries kept before a sweep drops the ones whose window has passed. */
const SWEEP_AT = 10_000

export function createAuthThrottle(options: AuthThrottleOptions = {}): AuthThrottle {
  const prefixLimit = options.prefixLimit ?? AUTH_THROTTLE_DEFAULTS.prefixLimit
  const addressLimit = options.addressLimit ?? AUTH_THROTTLE_DEFAULTS.addressLimit
  const windowMs = options.windowMs ?? AUTH_THROTTLE_DEFAULTS.windowMs
  const now = options.now ?? Date.now
  // Times of counted failures, oldest first, at most `limit` of them per entry.
  const prefixes = new Map<string, number[]>()
  const addresses = new Map<string, number[]>()

  const live = (map: Map<string, number[]>, id: string): number[] => {
    const times = map.get(id)
    if (!times) return []
    const cutoff = now() - windowMs
    while (times.length > 0 && times[0]! <= cutoff) times.shift()
    if (times.length === 0) map.delete(id)
    return times
  }
  const waitOf = (map: Map<string, number[]>, id: string | undefined, limit: number): number => {
    if (id === undefined) return 0
    const times = live(map, id)
    if (times.length < limit) return 0
    return Math.max(1, times[times.length - limit]! + windowMs - now())
  }
  const sweep = (map: Map<string, number[]>): void => {
    if (map.size < SWEEP_AT) return
    for (const id of [...map.keys()]) live(map, id)
    // Still full of live entries (a flood of distinct addresses): forget the oldest half.
    if (map.size >= SWEEP_AT) for (const id of [...map.keys()].slice(0, map.size / 2)) map.delete(id)
  }
  const add = (map: Map<string, number[]>, id: string | undefined, limit: number, at: number): void => {
    if (id === undefined) return
    sweep(map)
    const times = live(map, id)
    times.push(at)
    if (times.length > limit) times.splice(0, times.length - limit)
    map.set(id, times)
  }
  const remove = (map: Map<string, number[]>, id: string | undefined, at: number): void => {
    if (id === undefined) return
    const times = map.get(id)
    const index = times?.indexOf(at) ?? -1
    if (times && index >= 0) times.splice(index, 1)
    if (times?.length === 0) map.delete(id)
  }
  const count = (subject: ThrottleSubject, at: number): void => {
    add(prefixes, subject.prefix, prefixLimit, at)
    add(addresses, subject.address, addressLimit, at)
  }

  return {
    retryAfterMs: (subject) => Math.max(waitOf(prefixes, subject.prefix, prefixLimit), waitOf(addresses, subject.address, addressLimit)),
    fail: (subject) => count(subject, now()),
    attempt(subject) {
      const at = now()
      count(subject, at)
      let given = false
      return {
        succeeded() {
          if (given) return
          given = true
          remove(prefixes, subject.prefix, at)
          remove(addresses, subject.address, at)
        },
      }
    },
    refusal(subject, retryAfterMs) {
      const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
      const byPrefix = waitOf(prefixes, subject.prefix, prefixLimit) > 0
      const what = byPrefix ? `API key ${subject.prefix ?? ''}` : 'this address'
      return new AppError('LIMIT_EXCEEDED', `Too many failed sign-ins for ${what}; try again in ${retryAfterSeconds} s`, {
        limit: byPrefix ? 'auth_failures_per_key' : 'auth_failures_per_address',
        allowed: byPrefix ? prefixLimit : addressLimit,
        windowSeconds: Math.round(windowMs / 1000),
        retryAfterSeconds,
      })
    },
  }
}

/** A throttle that never throttles (authenticators built without one, e.g. in unit tests). */
export const NO_THROTTLE: AuthThrottle = {
  retryAfterMs: () => 0,
  fail: () => undefined,
  attempt: () => ({ succeeded: () => undefined }),
  refusal: () => new AppError('LIMIT_EXCEEDED', 'Too many failed sign-ins'),
}

/** True for the refusal above (answered 429, with Retry-After). */
export function retryAfterSecondsOf(error: unknown): number | null {
  if (!(error instanceof AppError) || error.code !== 'LIMIT_EXCEEDED') return null
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds
  return typeof seconds === 'number' ? seconds : null
}
