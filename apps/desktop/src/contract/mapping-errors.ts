import { MAPPABLE_FIELDS, type MappableField } from '@anomalyze/shared/engine'
import type { FieldMapping } from './scoring.ts'

// The shared row converter needs these (see resolveColumnMapping's REQUIRED list);
// the analyst's edited mapping is checked here before a single row is read.
const REQUIRED: readonly MappableField[] = ['amount', 'accountId', 'merchantId']

/** Problems that make an (edited) mapping unusable; empty when it can be scored. */
export function mappingErrors(mapping: FieldMapping, columnCount: number): string[] {
  const errors: string[] = []
  for (const [field, index] of Object.entries(mapping)) {
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) errors.push(`unknown field ${field}`)
    else if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= columnCount) errors.push(`${field}: no column ${String(index)}`)
  }
  for (const field of REQUIRED) if (mapping[field] === undefined) errors.push(`choose the column for ${field}`)
  if (mapping.timestamp === undefined && mapping.timestampHours === undefined) errors.push('choose the column for timestamp')
  if (mapping.timestamp !== undefined && mapping.timestampHours !== undefined) errors.push('map either timestamp or timestampHours, not both')
  return errors
}
