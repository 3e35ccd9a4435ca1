import path from 'node:path'
import type { ServerEnv } from '../env.ts'
import { createLocalFolderStore } from './local-folder-store.ts'
import type { ObjectStore } from './object-store.ts'
import { createS3ObjectStore } from './s3-object-store.ts'
import type { LinkSigner } from './signed-links.ts'

/** S3 when S3_BUCKET is configured, otherwise a folder in the data dir. */
export function createObjectStore(env: ServerEnv, dataDir: string, signer: LinkSigner, publicUrl: () => string): ObjectStore {
  if (env.S3_BUCKET !== undefined) {
    return createS3ObjectStore({
      bucket: env.S3_BUCKET,
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      prefix: env.S3_PREFIX,
    })
  }
  return createLocalFolderStore({ root: env.OBJECT_STORE_DIR ?? path.join(dataDir, 'objects'), signer, publicUrl })
}
