import { MAPPABLE_FIELDS, type MappableField } from '@anomalyze/shared/engine'
import { FIELD_LABEL } from '../../../contract/field-labels.ts'
import type { CsvInspection, FieldMapping } from '../../../contract/scoring.ts'

const REQUIRED = new Set<MappableField>(['amount', 'accountId', 'merchantId', 'timestamp'])

/** One row per engine field: which CSV column feeds it, with sample values to check by eye. */
export function MappingEditor({ inspection, mapping, onChange }: { inspection: CsvInspection; mapping: FieldMapping; onChange: (m: FieldMapping) => void }) {
  const set = (field: MappableField, value: string): void => {
    const next: FieldMapping = { ...mapping }
    if (value === '') delete next[field]
    else next[field] = Number(value)
    onChange(next)
  }
  return (
    <table className="mapping-table" aria-label="Column mapping">
      <thead>
        <tr>
          <th>Field</th>
          <th>CSV column</th>
          <th>Sample values</th>
        </tr>
      </thead>
      <tbody>
        {MAPPABLE_FIELDS.map((field) => {
          const index = mapping[field]
          return (
            <tr key={field}>
              <td>
                {FIELD_LABEL[field]}
                {REQUIRED.has(field) && <span className="muted"> *</span>}
              </td>
              <td>
                <select
                  aria-label={`Column for ${FIELD_LABEL[field]}`}
                  value={index === undefined ? '' : String(index)}
                  onChange={(e) => set(field, e.target.value)}
                >
                  <option value="">(none)</option>
                  {inspection.headers.map((h, i) => (
                    <option key={i} value={i}>
                      {h === '' ? `column ${i + 1}` : h}
                    </option>
                  ))}
                </select>
              </td>
              <td className="muted sample">
                {index === undefined
                  ? ''
                  : inspection.sample
                      .map((r) => r[index] ?? '')
                      .slice(0, 3)
                      .join(' · ')}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
