import type { ScoringSource } from '../../../contract/scoring.ts'
import { bridge } from '../api/core-client.ts'

/**
 * Gets a picked or dropped file to the core. Electron hands over the file's path (read
 * in place, never copied) once the analyst confirmed it in the native open dialog; the browser streams the bytes to the local core, which
 * writes them to its own data dir. Either way nothing leaves the machine.
 */
export async function toScoringSource(file: File, onProgress: (fraction: number) => void): Promise<ScoringSource | null> {
  const path = bridge.pathForFile?.(file)
  if (path !== undefined && path !== '') {
    // The core reads only files picked in a native dialog: it opens on the dropped file
    // and the analyst confirms (null when they cancel).
    const picked = (await bridge.chooseFile?.('open-csv', path)) ?? null
    return picked === null ? null : { path: picked }
  }
  // XHR rather than fetch: it reports upload progress for big files.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/upload?name=${encodeURIComponent(file.name)}`)
    xhr.setRequestHeader('x-anomalyze-upload', '1')
    xhr.setRequestHeader('content-type', 'text/csv')
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total)
    }
    xhr.onerror = () => reject(new Error('The upload to the local core failed. Is "console --web" still running?'))
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText) as { data?: { uploadId: string }; error?: { message: string } }
        if (body.data !== undefined) resolve({ uploadId: body.data.uploadId })
        else reject(new Error(body.error?.message ?? `Upload failed (HTTP ${xhr.status})`))
      } catch {
        reject(new Error(`Upload failed (HTTP ${xhr.status})`))
      }
    }
    xhr.send(file)
  })
}
