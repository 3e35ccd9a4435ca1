import { zSafeText } from '@anomalyze/shared'

/**
 * The id of one of the caller's rows, as procedures take it: text Postgres can compare
 * (no NUL, no lone surrogate; both used to fail the statement, a 500), at most 200
 * units. Refused by field like any other invalid input.
 */
export const ZRowId = zSafeText(200, { min: 1 })
