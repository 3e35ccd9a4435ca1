import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../core/create-core.ts'
import { writeGeneratedCsv } from '../../test/support/generated-csv.ts'
import { coreFiles, startWebServer } from './web-server.ts'

// Browser mode's file routes over a real core: an upload scored and its CSV served back.
let dir: string
let core: Core

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'anomalyze-browser-upload-test-'))
  core = createCore({ dataDir: join(dir, 'data') })
})

afterAll(async () => {
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

async function call<T>(result: Promise<{ data?: T; error?: { message: string } }>): Promise<T> {
  const r = await result
  if (r.error !== undefined) throw new Error(r.error.message)
  return r.data as T
}

describe('offline CSV scoring', () => {
  it('takes browser uploads over HTTP into the data dir and serves the scored CSV back', async () => {
    const { server, url, launchUrl } = await startWebServer({ handlers: core.handlers, files: coreFiles(core), rendererDir: null, port: 0 })
    try {
      const cookie = ((await fetch(launchUrl, { redirect: 'manual' })).headers.get('set-cookie') ?? '').split(';')[0] ?? ''
      const source = join(dir, 'upload-source.csv')
      writeGeneratedCsv(source, { rows: 500, badAt: [3] })
      const body = readFileSync(source)
      // Without the upload header the request is refused (cross-site pages cannot add it).
      expect((await fetch(`${url}/upload?name=x.csv`, { method: 'POST', headers: { cookie }, body })).status).toBe(403)
      const uploaded = (await (
        await fetch(`${url}/upload?name=${encodeURIComponent('March export.csv')}`, {
          method: 'POST',
          headers: { 'x-anomalyze-upload': '1', 'content-type': 'text/csv', cookie },
          body: Readable.toWeb(Readable.from([body.subarray(0, 1000), body.subarray(1000)])) as ReadableStream,
          duplex: 'half',
        } as RequestInit)
      ).json()) as { data: { uploadId: string; sizeBytes: number } }
      expect(uploaded.data.sizeBytes).toBe(body.length)
      const inspection = await call(core.handlers['scoring.inspect']({ source: { uploadId: uploaded.data.uploadId } }))
      expect(inspection.fileName).toBe('March export.csv')
      const started = await call(core.handlers['scoring.start']({ source: { uploadId: uploaded.data.uploadId }, mapping: inspection.mapping }))
      const job = await core.scoring.settled(started.jobId)
      expect(job).toMatchObject({ state: 'done', scored: 499, badRowCount: 1, name: 'March export.csv' })
      expect(job.badRows[0]?.line).toBe(4)
      // The upload is kept as the batch's source (a model fitted on the file re-reads it) ...
      expect((await core.handlers['scoring.inspect']({ source: { uploadId: uploaded.data.uploadId } })).error).toBeUndefined()

      const download = await fetch(`${url}/download/batches/${job.batchId}.csv`, { headers: { cookie } })
      expect(download.headers.get('content-type')).toContain('text/csv')
      expect((await download.text()).trimEnd().split('\n')).toHaveLength(500)
      // ... and goes with the batch.
      await call(core.handlers['scoring.deleteBatch']({ batchId: job.batchId }))
      expect((await core.handlers['scoring.inspect']({ source: { uploadId: uploaded.data.uploadId } })).error?.code).toBe('NOT_FOUND')
    } finally {
      server.close()
    }
  })
})
