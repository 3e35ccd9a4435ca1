import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NotFound, NoSuchKey, S3Client } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { Readable } from 'node:stream'
import { AppError } from '@anomalyze/shared'
import { assertValidKey, type ObjectStore } from './object-store.ts'

export interface S3StoreOptions {
  bucket: string
  /** Endpoint of an S3-compatible store (MinIO, R2...); AWS when absent. */
  endpoint?: string | undefined
  region: string
  accessKeyId?: string | undefined
  secretAccessKey?: string | undefined
  /** Path-style URLs (bucket in the path), which most S3-compatible stores need. */
  forcePathStyle: boolean
  /** Optional key prefix, so several deployments can share a bucket. */
  prefix?: string | undefined
}

/**
 * Any S3-compatible store through the official SDK. Uploads stream in parts
 * (lib-storage), so a large CSV never sits in memory; S3 itself only shows an
 * object once its upload completes.
 */
export function createS3ObjectStore(options: S3StoreOptions): ObjectStore {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.accessKeyId === undefined || options.secretAccessKey === undefined
      ? {}
      : { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }),
  })
  const Bucket = options.bucket
  const fullKey = (key: string): string => {
    assertValidKey(key)
    return options.prefix ? `${options.prefix.replace(/\/+$/, '')}/${key}` : key
  }
  return {
    kind: 's3',
    async put(key, body, putOptions = {}) {
      const upload = new Upload({
        client,
        params: { Bucket, Key: fullKey(key), Body: body, ContentType: putOptions.contentType ?? 'application/octet-stream' },
      })
      await upload.done()
      const head = await client.send(new HeadObjectCommand({ Bucket, Key: fullKey(key) }))
      return { key, size: head.ContentLength ?? 0 }
    },
    async get(key) {
      try {
        const response = await client.send(new GetObjectCommand({ Bucket, Key: fullKey(key) }))
        if (!(response.Body instanceof Readable)) throw new Error(`S3 returned no stream for "${key}"`)
        return response.Body
      } catch (error) {
        if (error instanceof NoSuchKey || error instanceof NotFound) throw new AppError('NOT_FOUND', `No stored file "${key}"`)
        throw error
      }
    },
    async head(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: fullKey(key) }))
        return { key, size: head.ContentLength ?? 0 }
      } catch (error) {
        if (error instanceof NotFound || error instanceof NoSuchKey) return null
        throw error
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: fullKey(key) }))
    },
    async downloadUrl(key, { expiresInSeconds, fileName }) {
      const command = new GetObjectCommand({
        Bucket,
        Key: fullKey(key),
        ...(fileName === undefined ? {} : { ResponseContentDisposition: `attachment; filename="${fileName.replace(/"/g, '')}"` }),
      })
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds })
    },
  }
}
