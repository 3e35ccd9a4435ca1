import type { AppErrorCode } from '@anomalyze/shared'

/**
 * What every core method returns. Errors cross the IPC / HTTP boundary as plain data
 * (Actual's `sendCatch` shape), never as Error objects, which lose their fields when
 * structured-cloned or serialised.
 */
export interface CoreError {
  code: AppErrorCode
  message: string
  details?: Record<string, unknown>
}

export type CoreResult<T> = { data: T; error?: undefined } | { data?: undefined; error: CoreError }
