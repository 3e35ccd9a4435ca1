import { MAPPABLE_FIELDS, parseMappingOverrides, resolveColumnMapping, type MappableField } from '@anomalyze/shared/engine'
import type { FieldMapping } from '../../contract/scoring.ts'

export interface ServerMapping {
  /** The `map` query value (`column=field,...`); '' when auto-detection already gives the wanted mapping. */
  map: string
  /** Why the server would read the file differently; empty when it reads it exactly as wanted. */
  problems: string[]
}

/**
 * The console maps fields to column indexes; the server's batch route takes
 * `column=field` overrides of its own auto-detection, applied by the same shared
 * resolveColumnMapping. Overrides are added only where auto-detection disagrees, then
 * the result is checked by parsing the `map` string exactly as the server does: a
 * mapping the server cannot express (one column for two fields it would not guess, a
 * column the analyst left unmapped but the server would read, duplicate or comma-laden
 * header names) is reported instead of being uploaded and read another way.
 */
export function toServerMapping(headers: readonly string[], wanted: FieldMapping): ServerMapping {
  const overrides = new Map<string, MappableField>()
  const problems: string[] = []
  // Each round fixes at least one field or stops: bounded by the number of fields.
  for (let round = 0; round <= MAPPABLE_FIELDS.length; round += 1) {
    const resolved = resolveColumnMapping(headers, overrides).mapping
    let added = false
    for (const field of MAPPABLE_FIELDS) {
      const index = wanted[field]
      if (index === undefined || resolved[field] === index) continue
      const column = headers[index]
      if (column === undefined || overrides.has(column)) continue
      overrides.set(column, field)
      added = true
    }
    if (!added) break
  }
  const map = [...overrides].map(([column, field]) => `${column}=${field}`).join(',')
  const { mapping: onServer, error } = asServerReads(headers, map)
  if (error !== null) return { map, problems: [error] }
  for (const field of MAPPABLE_FIELDS) {
    const want = wanted[field]
    const got = onServer[field]
    if (want === got) continue
    const name = (i: number | undefined): string => (i === undefined ? 'no column' : `column ${i + 1} "${headers[i] ?? ''}"`)
    problems.push(`${field}: the server would read ${name(got)}, not ${name(want)}`)
  }
  return { map, problems }
}

/** What the server's batch route does with `?map=` (create-batch-job.ts, then the worker). */
function asServerReads(headers: readonly string[], map: string): { mapping: FieldMapping; error: string | null } {
  const specs = map
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  try {
    const resolved = resolveColumnMapping(headers, parseMappingOverrides(specs))
    return { mapping: resolved.mapping, error: resolved.errors.length > 0 ? `the server would not accept the mapping: ${resolved.errors.join('; ')}` : null }
  } catch (error) {
    return { mapping: {}, error: `the mapping cannot be sent to the server: ${(error as Error).message}` }
  }
}
