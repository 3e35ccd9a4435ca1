import { MAPPABLE_FIELDS, type MappableField } from '@anomalyze/shared/engine'
import { fieldLabel } from './field-labels.ts'
import type { FieldMapping } from './scoring.ts'

// The shared row converter needs these (see resolveColumnMapping's REQUIRED list);
// the analyst's edited mapping is checked here before a single row is read.
const REQUIRED: readonly MappableField[] = ['amount', 'accountId', 'merchantId']

/** Problems that make an (edited) mapping unusable, in the analyst's words; empty when it can be scored. */
export function mappingErrors(mapping: FieldMapping, columnCount: number): string[] {
  const errors: string[] = []
  for (const [field, index] of Object.entries(mapping)) {
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) errors.push(`"${field}" is not a field this console knows`)
    else if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= columnCount)
      errors.push(`${fieldLabel(field)}: the file has no column ${typeof index === 'number' ? index + 1 : String(index)}`)
  }
  for (const field of REQUIRED) if (mapping[field] === undefined) errors.push(`choose the column for ${fieldLabel(field)}`)
  if (mapping.timestamp === undefined && mapping.timestampHours === undefined) errors.push(`choose the column for ${fieldLabel('timestamp')}`)
  if (mapping.timestamp !== undefined && mapping.timestampHours !== undefined)
    errors.push(`map either ${fieldLabel('timestamp')} or ${fieldLabel('timestampHours')}, not both`)
  return errors
}
