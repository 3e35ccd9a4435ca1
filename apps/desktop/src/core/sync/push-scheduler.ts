/**
 * After the last decision, wait this long before pushing: a run of keypresses becomes
 * one push, and `u` can still undo the last decision locally (a decision the server has
 * is changed by labelling again, not undone). A few seconds: soon enough for teammates
 * and the status bar, long enough to catch a wrong key.
 */
export const PUSH_DEBOUNCE_MS = 5_000
/** Pauses before the next try when a push failed (offline, server error); after the last, the periodic sync takes over. */
export const PUSH_RETRY_DELAYS_MS: readonly number[] = [5_000, 15_000, 60_000]

export interface PushSchedulerOptions {
  /** Pushes the outbox; resolves true when the server acknowledged everything sent. */
  push: () => Promise<boolean>
  debounceMs?: number
  retryDelaysMs?: readonly number[]
}

export interface PushScheduler {
  /** A decision was queued: push once the analyst pauses (restarts the wait, forgets past failures). */
  soon(): void
  /** Drops any waiting push (sign-out, shutdown). */
  stop(): void
}

/**
 * When decisions leave the machine: shortly after the analyst's last one, not per key
 * press, and again after a failure with growing pauses, a bounded number of times.
 * Timers never keep the process alive; a push that throws counts as a failure.
 */
export function createPushScheduler(options: PushSchedulerOptions): PushScheduler {
  const debounceMs = options.debounceMs ?? PUSH_DEBOUNCE_MS
  const retryDelays = options.retryDelaysMs ?? PUSH_RETRY_DELAYS_MS
  let timer: NodeJS.Timeout | undefined
  let failures = 0

  const schedule = (ms: number): void => {
    clearTimeout(timer)
    timer = setTimeout(() => void attempt(), ms)
    timer.unref()
  }

  const attempt = async (): Promise<void> => {
    timer = undefined
    const ok = await options.push().catch(() => false)
    if (ok) {
      failures = 0
      return
    }
    const delay = retryDelays[failures]
    failures += 1
    // A new decision may have scheduled a push meanwhile: that one stands.
    if (delay !== undefined && timer === undefined) schedule(delay)
  }

  return {
    soon() {
      failures = 0
      schedule(debounceMs)
    },
    stop() {
      clearTimeout(timer)
      timer = undefined
    },
  }
}
