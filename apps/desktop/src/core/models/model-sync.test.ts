import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { DEFAULT_MODEL_DIR } from '@anomalyze/shared/node'
import { afterEach, describe, expect, it } from 'vitest'
import { syncActiveModel } from './model-sync.ts'

const files: Record<string, Uint8Array> = Object.fromEntries(
  ['manifest.json', 'model.onnx', 'model.json'].map((name) => [name, new Uint8Array(readFileSync(join(DEFAULT_MODEL_DIR, name)))]),
)
const onnxSha = createHash('sha256').update(files['model.onnx']!).digest('hex')

function server(version: string, served: Record<string, Uint8Array> = files) {
  const calls: string[] = []
  return {
    calls,
    options: (dir: string) => ({
      dir,
      call: async (_type: 'query' | 'mutation', path: string) => {
        calls.push(path)
        return version === 'default'
          ? { version, sha256: null, manifest: null, files: [], expiresAt: null }
          : { version, sha256: onnxSha, files: Object.keys(served).map((name) => ({ name, url: `mem://${name}` })) }
      },
      download: async (url: string) => {
        calls.push(url)
        return served[url.slice('mem://'.length)]!
      },
    }),
  }
}

describe('desktop model sync', () => {
  const dirs: string[] = []
  const tempDir = () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'anomalyze-desktop-models-'))
    dirs.push(dir)
    return dir
  }
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

  it('keeps the shipped model while the server has no active version', async () => {
    expect(await syncActiveModel(server('default').options(tempDir()), null)).toEqual({ kind: 'shipped' })
  })

  it('downloads a new active version once, verifies it and then reuses it', async () => {
    const dir = tempDir()
    const s = server('1.1.0')
    const first = await syncActiveModel(s.options(dir), 'default@1.0.0')
    expect(first).toMatchObject({ kind: 'updated', version: '1.1.0', previousVersion: 'default@1.0.0' })
    expect(s.calls.filter((c) => c.startsWith('mem://'))).toHaveLength(3)
    const again = await syncActiveModel(s.options(dir), '1.1.0')
    expect(again.kind).toBe('unchanged')
    expect(s.calls.filter((c) => c.startsWith('mem://'))).toHaveLength(3)
  })

  it('refuses a corrupt download and leaves nothing behind', async () => {
    const dir = tempDir()
    const corrupt = { ...files, 'model.onnx': files['model.onnx']!.slice(0, 100) }
    await expect(syncActiveModel(server('1.2.0', corrupt).options(dir), null)).rejects.toThrow(/refused: model\.onnx does not match the registry's sha256/)
    const tampered = { ...files, 'model.json': new TextEncoder().encode('{}') }
    await expect(syncActiveModel(server('1.2.0', tampered).options(dir), null)).rejects.toThrow(
      /refused: model\.json does not match the sha256 in its manifest/,
    )
    expect(readdirSync(dir)).toEqual([])
  })
})
