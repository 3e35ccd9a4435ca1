import type { FieldMapping, ScoringSource } from './scoring.ts'

/** Send the file the analyst opened to the signed-in server as a batch CSV job. */
export interface UploadBatchArgs {
  source: ScoringSource
  /** The analyst's column mapping (field -> column index), sent as the server's `map`. */
  mapping: FieldMapping
  /** Name the job gets on the server (default: the file's name). */
  fileName?: string
}

/** The upload being sent, for a progress bar (bytes handed to the connection so far). */
export interface UploadProgress {
  fileName: string
  sentBytes: number
  totalBytes: number
}

/** The job the server created (`POST /batch-jobs` answers 202 with it); progress: `batchJobs.get`. */
export interface UploadedBatchJob {
  id: string
  status: 'QUEUED'
  fileName: string
  totalRows: number
  sizeBytes: number
  /** The server it went to. */
  serverUrl: string
  /** The `column=field` overrides that were sent ('' when the server's auto-detection matched). */
  map: string
}
