import { useState } from 'react'
import { bridge, callCore } from '../api/core-client.ts'

/** Electron: save dialog, the core writes the file. Browser: a plain download from the local core. */
export function ExportButton({ batchId, name }: { batchId: string; name: string }) {
  const [message, setMessage] = useState<string | null>(null)
  const fileName = `${name.replace(/\.csv$/i, '')}-scored.csv`
  const chooseFile = bridge.chooseFile
  if (chooseFile === undefined) {
    return (
      <a className="button" href={`/download/batches/${encodeURIComponent(batchId)}.csv`} download={fileName}>
        Export scored CSV
      </a>
    )
  }
  const save = async (): Promise<void> => {
    const path = await chooseFile('save-csv', fileName)
    if (path === null) return
    try {
      const result = await callCore('scoring.export', { batchId, path })
      setMessage(`Saved ${result.rows.toLocaleString()} rows to ${result.path}`)
    } catch (e) {
      setMessage(`Not saved: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return (
    <>
      <button type="button" onClick={() => void save()}>
        Export scored CSV…
      </button>
      {message !== null && <span className="muted">{message}</span>}
    </>
  )
}
