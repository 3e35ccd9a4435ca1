import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import S3rver from 's3rver'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ObjectStore } from '../src/storage/object-store.ts'
import { createS3ObjectStore } from '../src/storage/s3-object-store.ts'

/**
 * The S3 store through the real AWS SDK against s3rver (an S3 wire-format stub) on
 * 127.0.0.1: what a deployment with S3_BUCKET set runs. s3rver 3.7 runs on Node 20.
 */
describe('S3 object store (AWS SDK against s3rver)', () => {
  let server: S3rver
  let directory: string
  let store: ObjectStore

  beforeAll(async () => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-s3rver-'))
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'anomalyze-test' }] })
    const { port } = await server.run()
    store = createS3ObjectStore({
      bucket: 'anomalyze-test',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      // s3rver's fixed credentials: requests are signed and checked with them.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
      prefix: 'deploy-a',
    })
  })
  afterAll(async () => {
    await server.close()
    rmSync(directory, { recursive: true, force: true })
  })

  it('streams a multi-part upload in and reads it back', async () => {
    // 12 MB from a generator: more than lib-storage's 5 MB part, never one buffer.
    const line = `${'x'.repeat(1023)}\n`
    const parts = function* () {
      for (let i = 0; i < 12 * 1024; i += 1) yield line
    }
    const stored = await store.put('users/u1/batches/big.csv', Readable.from(parts()), { contentType: 'text/csv' })
    expect(stored).toEqual({ key: 'users/u1/batches/big.csv', size: 12 * 1024 * 1024 })
    const back = await text(await store.get('users/u1/batches/big.csv'))
    expect(back.length).toBe(12 * 1024 * 1024)
    expect(back.slice(0, 1024)).toBe(line)
  })

  it('heads, serves a presigned download link fetch can use, and deletes', async () => {
    await store.put('users/u1/reports/r1.csv', 'a,b\n1,2\n')
    expect(await store.head('users/u1/reports/r1.csv')).toEqual({ key: 'users/u1/reports/r1.csv', size: 8 })

    const url = await store.downloadUrl('users/u1/reports/r1.csv', { expiresInSeconds: 60, fileName: 'report.csv' })
    expect(url).toMatch(/X-Amz-Signature=/)
    expect(new URL(url).pathname).toBe('/anomalyze-test/deploy-a/users/u1/reports/r1.csv')
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="report.csv"')
    expect(await response.text()).toBe('a,b\n1,2\n')
    // s3rver does not verify presigned V4 signatures (nor refuses anonymous reads), so a
    // tampered link cannot be tested here: the link's signing parameters are checked instead.
    const query = new URL(url).searchParams
    expect(query.get('X-Amz-Expires')).toBe('60')
    expect(query.get('X-Amz-Credential')).toMatch(/^S3RVER\//)

    await store.delete('users/u1/reports/r1.csv')
    expect(await store.head('users/u1/reports/r1.csv')).toBeNull()
    await expect(store.get('users/u1/reports/r1.csv')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('refuses keys that could escape their folder', async () => {
    await expect(store.put('../etc/passwd', 'x')).rejects.toThrow(/Invalid object key/)
  })
})
