import { AppError } from '@anomalyze/shared'
import { ZodError, z } from 'zod'
import type { CoreError } from '../../contract/result.ts'

/** Turns anything thrown inside the core into plain data the renderer can show. */
export function toCoreError(error: unknown): CoreError {
  if (error instanceof AppError) {
    return { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) }
  }
  if (error instanceof ZodError) {
    return { code: 'BAD_INPUT', message: z.prettifyError(error), details: { issues: error.issues } }
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) }
}
