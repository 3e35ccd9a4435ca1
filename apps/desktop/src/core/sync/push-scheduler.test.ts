import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPushScheduler } from './push-scheduler.ts'

afterEach(() => {
  vi.useRealTimers()
})

describe('push scheduler', () => {
  it('pushes once after a run of decisions, counted from the last one', async () => {
    vi.useFakeTimers()
    const push = vi.fn(async () => true)
    const scheduler = createPushScheduler({ push, debounceMs: 1_000, retryDelaysMs: [] })
    scheduler.soon()
    await vi.advanceTimersByTimeAsync(800)
    scheduler.soon()
    await vi.advanceTimersByTimeAsync(800)
    expect(push).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(300)
    expect(push).toHaveBeenCalledTimes(1)
  })

  it('retries a failing push with the given pauses, then stops', async () => {
    vi.useFakeTimers()
    const push = vi.fn(async () => false)
    const scheduler = createPushScheduler({ push, debounceMs: 100, retryDelaysMs: [1_000, 5_000] })
    scheduler.soon()
    await vi.advanceTimersByTimeAsync(100)
    expect(push).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(999)
    expect(push).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(push).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(push).toHaveBeenCalledTimes(3)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(push).toHaveBeenCalledTimes(3)
  })

  it('treats a push that throws as a failure to retry, and a stop drops the wait', async () => {
    vi.useFakeTimers()
    const push = vi.fn(async (): Promise<boolean> => {
      throw new Error('socket hang up')
    })
    const scheduler = createPushScheduler({ push, debounceMs: 100, retryDelaysMs: [1_000] })
    scheduler.soon()
    await vi.advanceTimersByTimeAsync(100)
    expect(push).toHaveBeenCalledTimes(1)
    scheduler.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(push).toHaveBeenCalledTimes(1)
  })
})
