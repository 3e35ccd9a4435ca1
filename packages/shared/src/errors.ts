/**
 * Errors the domain raises on purpose. Services throw AppError and never a transport
 * error; the server maps each code to a tRPC code and HTTP status in one place, and
 * clients read `code` to decide what to show.
 */
export const APP_ERROR_CODES = ['BAD_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'LIMIT_EXCEEDED', 'UNAVAILABLE', 'INTERNAL'] as const

export type AppErrorCode = (typeof APP_ERROR_CODES)[number]

export interface AppErrorDetails {
  /** Field path, CSV line, limit and reset time... whatever helps the caller fix it. */
  [key: string]: unknown
}

export class AppError extends Error {
  override readonly name = 'AppError'

  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details?: AppErrorDetails,
  ) {
    super(message)
  }
}

export function isAppErrorCode(value: unknown): value is AppErrorCode {
  return typeof value === 'string' && (APP_ERROR_CODES as readonly string[]).includes(value)
}
