import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { MAX_LIST_IMPORT_LENGTH } from '@anomalyze/shared'
import { listsApi } from './rules-api.ts'

/**
 * Imports `value[,reason]` lines into a list, from a file or pasted text. The server adds
 * the good lines in one go and answers how many it imported, how many were already
 * listed, and each bad line (not stored) with its number.
 */
export function ImportCsv({ listId, reason, onImported }: { listId: string; reason: string | null; onImported: () => void }) {
  const [csv, setCsv] = useState('')
  const [fileError, setFileError] = useState<string | null>(null)
  const importCsv = useMutation({ mutationFn: () => listsApi.importCsv(listId, csv), onSuccess: onImported })
  const out = importCsv.data
  return (
    <details className="list-import" data-testid="list-import">
      <summary>Import CSV</summary>
      <p className="muted">
        One <code>value,reason</code> per line (the reason is optional; a <code>value,reason</code> header is skipped).
      </p>
      <input
        type="file"
        accept=".csv,text/csv,text/plain"
        aria-label="CSV file"
        onChange={(e) => {
          const file = e.target.files?.[0]
          setFileError(null)
          if (file === undefined) return
          if (file.size > MAX_LIST_IMPORT_LENGTH) {
            setFileError(`${file.name} is ${(file.size / 1_000_000).toFixed(1)} MB; an import takes at most ${MAX_LIST_IMPORT_LENGTH / 1_000_000} MB.`)
            return
          }
          file.text().then(setCsv, (error: unknown) => setFileError(`Could not read ${file.name}: ${String(error)}`))
        }}
      />
      <textarea
        aria-label="CSV text"
        className="rule-code"
        rows={5}
        placeholder={'value,reason\nACC-1001,known payroll account'}
        value={csv}
        onChange={(e) => setCsv(e.target.value)}
      />
      <div className="actions">
        <button
          type="button"
          disabled={reason !== null || csv.trim() === '' || importCsv.isPending}
          title={reason ?? undefined}
          onClick={() => importCsv.mutate()}
          data-testid="list-import-run"
        >
          {importCsv.isPending ? 'Importing…' : 'Import'}
        </button>
      </div>
      {fileError !== null && <p className="error-text">{fileError}</p>}
      {importCsv.error !== null && (
        <p className="error-text" role="alert">
          {importCsv.error.message}
        </p>
      )}
      {out !== undefined && (
        <div data-testid="list-import-result">
          <p>
            {out.imported.toLocaleString()} imported, {out.alreadyListed.toLocaleString()} already listed.
          </p>
          {out.errors.length > 0 && (
            <>
              <p className="error-text">
                {out.errors.length} line{out.errors.length === 1 ? ' was' : 's were'} not imported:
              </p>
              <ul className="list-import-errors">
                {out.errors.map((e) => (
                  <li key={e.line}>
                    Line {e.line}: {e.message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </details>
  )
}
