import { AppError } from '@anomalyze/shared'
import { mappingErrors } from '../../contract/mapping-errors.ts'
import type { ScoringSource } from '../../contract/scoring.ts'
import type { UploadBatchArgs, UploadedBatchJob, UploadProgress } from '../../contract/upload.ts'
import { inspectCsv } from '../scoring/inspect-csv.ts'
import { postBatchFile } from './post-batch-file.ts'
import { toServerMapping } from './server-mapping.ts'

export interface BatchUploaderDeps {
  /** The signed-in session (server and token), or null when signed out. */
  session: () => { serverUrl: string; token: string } | null
  /**
   * Asks the server whether the session is good (me.get) before the file goes: a refusal
   * mid-body can be lost to the connection reset, a refusal of a tiny request is not.
   */
  checkSession: () => Promise<void>
  /** The file on this machine behind a scoring source (the one the analyst opened). */
  resolveFile: (source: ScoringSource) => { path: string; name: string }
}

export interface BatchUploader {
  upload(args: UploadBatchArgs): Promise<UploadedBatchJob>
  /** The upload in flight, or null. */
  progress(): UploadProgress | null
}

/**
 * "Upload as batch job": the one path by which a file the analyst opened leaves the
 * machine, and only when they ask. The mapping is translated to the server's
 * `column=field` overrides and checked to be read the same way there before a byte
 * is sent; the file is streamed from disk.
 */
export function createBatchUploader(deps: BatchUploaderDeps): BatchUploader {
  let inFlight: UploadProgress | null = null
  return {
    progress: () => (inFlight === null ? null : { ...inFlight }),

    async upload(args) {
      const session = deps.session()
      if (session === null) throw new AppError('UNAUTHENTICATED', 'Sign in to a server to upload a batch job. Nothing was sent.')
      const { path, name } = deps.resolveFile(args.source)
      const inspection = await inspectCsv(path, () => null, name)
      const invalid = mappingErrors(args.mapping, inspection.headers.length)
      if (invalid.length > 0) throw new AppError('BAD_INPUT', `${name}: the column mapping is not usable: ${invalid.join('; ')}`, { field: 'mapping' })
      const { map, problems } = toServerMapping(inspection.headers, args.mapping)
      if (problems.length > 0) {
        throw new AppError('BAD_INPUT', `The server would read this file with another mapping, so it was not sent: ${problems.join('; ')}`, {
          field: 'mapping',
          problems,
        })
      }
      const fileName = (args.fileName ?? '').trim() || name
      // One upload at a time: a second click while sending must not send the file twice.
      if (inFlight !== null) throw new AppError('CONFLICT', `"${inFlight.fileName}" is still being sent; wait for it to finish.`)
      const progress: UploadProgress = { fileName, sentBytes: 0, totalBytes: inspection.sizeBytes }
      inFlight = progress
      try {
        await deps.checkSession().catch((error: unknown) => {
          if (!(error instanceof AppError)) throw error
          throw new AppError(error.code, `${error.message} (${session.serverUrl}). The file was not sent.`, error.details)
        })
        const created = await postBatchFile({
          serverUrl: session.serverUrl,
          token: session.token,
          path,
          fileName,
          map,
          onProgress: (sentBytes, totalBytes) => Object.assign(progress, { sentBytes, totalBytes }),
        })
        const job: UploadedBatchJob = { ...created, serverUrl: session.serverUrl, map }
        return job
      } finally {
        inFlight = null
      }
    },
  }
}
