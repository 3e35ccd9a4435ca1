import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeArtifactDir } from '../src/services/models/model-files.ts'
import { startApp } from '../src/app/start-app.ts'
import { loadEnv } from '../src/env.ts'
import { createLocalFolderStore } from '../src/storage/local-folder-store.ts'
import { createLinkSigner } from '../src/storage/signed-links.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase } from './helpers/test-database.ts'

const modeOf = (file: string): number => statSync(file).mode & 0o777

describe.skipIf(process.platform === 'win32')('files under the data dir are readable by this user only', () => {
  const dirs: string[] = []
  const newDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-private-'))
    dirs.push(dir)
    return dir
  }
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('the model cache (in the shared temp dir) is a 0700 folder of files 0600, and a planted link there is refused', async () => {
    const root = path.join(newDir(), 'model-cache')
    const files = { manifest: Buffer.from('{}'), onnx: Buffer.from('onnx'), trees: Buffer.from('[]') }
    const previous = process.umask(0o000)
    try {
      const dir = await writeArtifactDir(files, 'abc123', root)
      expect(modeOf(root)).toBe(0o700)
      expect(modeOf(dir)).toBe(0o700)
      expect(modeOf(path.join(dir, 'model.onnx'))).toBe(0o600)
    } finally {
      process.umask(previous)
    }
    const planted = path.join(newDir(), 'planted')
    symlinkSync(newDir(), planted)
    await expect(writeArtifactDir(files, 'abc123', planted)).rejects.toThrow(/not a folder of this user's/)
  })

  it('the local folder store creates folders 0700 and files 0600, whatever the umask allows', async () => {
    const root = path.join(newDir(), 'objects')
    const store = createLocalFolderStore({ root, signer: createLinkSigner('test-link-secret-0123456789'), publicUrl: () => 'http://127.0.0.1:1' })
    const previous = process.umask(0o000)
    try {
      await store.put('uploads/user_1/march.csv', 'txId,amount\n1,2\n')
      await store.put('reports/user_1/2026-03.pdf', Buffer.from('%PDF-1.7'))
    } finally {
      process.umask(previous)
    }
    for (const file of ['uploads/user_1/march.csv', 'reports/user_1/2026-03.pdf']) expect(modeOf(path.join(root, file))).toBe(0o600)
    for (const dir of ['', 'uploads', 'uploads/user_1', 'reports/user_1']) expect(modeOf(path.join(root, dir))).toBe(0o700)
  })

  it('a start makes an older install private (0644 files in 0755 folders), and writes local-session.json 0600', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase()
    const dataDir = newDir()
    chmodSync(dataDir, 0o755)
    mkdirSync(path.join(dataDir, 'objects', 'invoices', 'user_1'), { recursive: true, mode: 0o755 })
    const oldFiles = ['objects/invoices/user_1/ANZ-2026-000001.pdf', 'local-session.json', 'local-session.key', 'file-links.key']
    writeFileSync(path.join(dataDir, 'local-session.key'), Buffer.alloc(32, 7).toString('base64'), { mode: 0o644 })
    for (const file of oldFiles.filter((f) => f !== 'local-session.key')) writeFileSync(path.join(dataDir, file), 'old', { mode: 0o644 })
    for (const file of oldFiles) chmodSync(path.join(dataDir, file), 0o644)

    const app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0' }), testLogger)
    try {
      for (const file of oldFiles) expect([file, modeOf(path.join(dataDir, file))]).toEqual([file, 0o600])
      for (const dir of ['', 'objects', 'objects/invoices', 'objects/invoices/user_1']) expect([dir, modeOf(path.join(dataDir, dir))]).toEqual([dir, 0o700])
      // Written by this start over the old file: still 0600, and holding the new token.
      expect((JSON.parse(readFileSync(path.join(dataDir, 'local-session.json'), 'utf8')) as { token: string }).token).toBe(app.localToken)
      const stored = await app.services.storage.put('reports/user_1/r.csv', 'a,b\n')
      expect(modeOf(path.join(dataDir, 'objects', stored.key))).toBe(0o600)
    } finally {
      await app.stop()
      await database.drop()
    }
  })
})
