import { useQuery } from '@tanstack/react-query'
import type { BadRow } from '../../../contract/scoring.ts'
import { callCore } from '../api/core-client.ts'

type Props = { batchId: string; rows?: undefined; total?: undefined } | { rows: BadRow[]; total: number; batchId?: undefined }

/** Rows that could not be scored, by line number, so the analyst can fix the file. */
export function BadRowsList(props: Props) {
  const stored = useQuery({
    queryKey: ['scoring.badRows', props.batchId],
    queryFn: () => callCore('scoring.badRows', { batchId: props.batchId ?? '', limit: 200 }),
    enabled: props.batchId !== undefined,
  })
  const rows = props.rows ?? stored.data?.rows ?? []
  const total = props.total ?? stored.data?.total ?? 0
  if (total === 0) return null
  return (
    <section className="bad-rows" aria-label="Bad rows">
      <h3>
        {total.toLocaleString()} {total === 1 ? 'row' : 'rows'} not scored{total > rows.length ? ` (first ${rows.length} shown)` : ''}
      </h3>
      <table>
        <thead>
          <tr>
            <th>Line</th>
            <th>Field</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.line}-${r.field}`} data-testid="bad-row">
              <td className="num">{r.line}</td>
              <td>{r.field}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
