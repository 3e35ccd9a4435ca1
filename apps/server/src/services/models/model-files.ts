import { createHash } from 'node:crypto'
import { lstat, rename, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { MANIFEST_FILE, ONNX_FILE, TREES_FILE } from '@anomalyze/shared/node'
import type { ObjectStore } from '../../storage/object-store.ts'
import { ensurePrivateDir, writePrivateFile } from '@anomalyze/shared/node'

/** The three files of a model artifact, as bytes (see packages/shared/src/node/model-manifest.ts). */
export interface ArtifactFiles {
  manifest: Buffer
  onnx: Buffer
  trees: Buffer
}

export const ARTIFACT_FILE_NAMES = { manifest: MANIFEST_FILE, onnx: ONNX_FILE, trees: TREES_FILE } as const

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** `users/<orgId>/models/<version>/`: one folder per registered version. */
export function modelPrefix(orgId: string, version: string): string {
  return `users/${orgId}/models/${version}/`
}

/** ModelArtifact.s3Path holds the key of the .onnx file; its siblings sit beside it. */
export function onnxKey(orgId: string, version: string): string {
  return `${modelPrefix(orgId, version)}${ONNX_FILE}`
}

function siblingKey(s3Path: string, fileName: string): string {
  return `${s3Path.slice(0, s3Path.lastIndexOf('/') + 1)}${fileName}`
}

export function artifactKeys(s3Path: string): Record<keyof ArtifactFiles, string> {
  return {
    manifest: siblingKey(s3Path, MANIFEST_FILE),
    onnx: s3Path,
    trees: siblingKey(s3Path, TREES_FILE),
  }
}

/** Stores the files; the manifest goes last, so a half-stored artifact has no manifest. */
export async function putArtifactFiles(storage: ObjectStore, s3Path: string, files: ArtifactFiles): Promise<void> {
  const keys = artifactKeys(s3Path)
  await storage.put(keys.onnx, files.onnx, { contentType: 'application/octet-stream' })
  await storage.put(keys.trees, files.trees, { contentType: 'application/json' })
  await storage.put(keys.manifest, files.manifest, { contentType: 'application/json' })
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string))
  return Buffer.concat(chunks)
}

export async function getArtifactFiles(storage: ObjectStore, s3Path: string): Promise<ArtifactFiles> {
  const keys = artifactKeys(s3Path)
  const [manifest, onnx, trees] = await Promise.all([keys.manifest, keys.onnx, keys.trees].map(async (key) => readAll(await storage.get(key))))
  return { manifest: manifest as Buffer, onnx: onnx as Buffer, trees: trees as Buffer }
}

/**
 * Local folder for artifacts fetched from storage, keyed by content so versions never
 * mix. One per OS user, 0700: the temp folder is shared by every local user, and a
 * model's trees are derived from customer data.
 */
export const MODEL_CACHE_DIR = path.join(os.tmpdir(), `anomalyze-model-cache-${process.getuid?.() ?? 'user'}`)

/**
 * Writes the files into a fresh folder (named by `key`, written under a temporary
 * name then renamed, so a reader never sees a partial folder) and returns its path.
 */
export async function writeArtifactDir(files: ArtifactFiles, key: string, root = MODEL_CACHE_DIR): Promise<string> {
  await ownPrivateDir(root)
  const dir = path.join(root, key)
  const staging = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}`
  ensurePrivateDir(staging)
  await writePrivateFile(path.join(staging, MANIFEST_FILE), files.manifest)
  await writePrivateFile(path.join(staging, ONNX_FILE), files.onnx)
  await writePrivateFile(path.join(staging, TREES_FILE), files.trees)
  try {
    await rename(staging, dir)
  } catch (error) {
    // Already there (same content key): keep the existing folder, which loading verifies.
    await rm(staging, { recursive: true, force: true })
    if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  return dir
}

/**
 * Makes `root` a 0700 folder of this user's, refusing one another user made first (a
 * folder in the shared temp dir can be planted, or be a link to elsewhere).
 */
async function ownPrivateDir(root: string): Promise<void> {
  const stat = await lstat(root).catch(() => null)
  const uid = process.getuid?.()
  if (stat !== null && (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid))) {
    throw new Error(`The model cache ${root} is not a folder of this user's: remove it, or set another TMPDIR`)
  }
  ensurePrivateDir(root)
}
