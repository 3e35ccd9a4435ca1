import type { ScoringSource } from '../../../contract/scoring.ts'
import { bridge } from '../api/core-client.ts'

/**
 * Gets a picked or dropped file to the core. Electron hands over the file's path (read
 * in place, never copied); the browser streams the bytes to the local core, which
 * writes them to its own data dir. Either way nothing leaves the machine.
 */
export async function toScoringSource(file: File, onProgress: (fraction: number) => void): Promise<ScoringSource> {
  const path = bridge.pathForFile?.(file)
  if (path !== undefined && path !== '') return { path }
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
