import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FEATURE_NAMES } from '../detection/features/compute-features.ts'
import { buildFeatureMatrix } from '../detection/features/feature-matrix.ts'
import { profileFeatures } from '../detection/file-fit/feature-profile.ts'
import { scoreFeatures } from '../detection/models/anomaly-model.ts'
import { trainAnomalyModel } from '../detection/models/train-model.ts'
import { generateTransactions } from '../generator/generate-transactions.ts'
import { DEFAULT_MODEL_DIR } from './default-model.ts'
import { loadModelArtifact, saveModelArtifact } from './model-artifact.ts'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

async function savedModel(withProfile = false): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'anomalyze-model-'))
  dirs.push(dir)
  const data = buildFeatureMatrix(generateTransactions({ seed: 3, customers: 100, terminals: 100, days: 10 }))
  const { model, metrics } = trainAnomalyModel(data.rows, { isolation: { trees: 10 } })
  const featureProfile = withProfile ? profileFeatures(data.rows, FEATURE_NAMES.length, FEATURE_NAMES) : undefined
  await saveModelArtifact(dir, model, {
    version: '2.1.0',
    training: { source: 'test', rows: data.count, frauds: null, from: null, to: null },
    metrics,
    ...(featureProfile ? { featureProfile } : {}),
  })
  return dir
}

async function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): Promise<void> {
  const path = join(dir, 'manifest.json')
  const m = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
  edit(m)
  await writeFile(path, JSON.stringify(m))
}

describe('model artifacts', () => {
  it('round-trips: loads, verifies and scores like the saved trees', async () => {
    const dir = await savedModel()
    const loaded = await loadModelArtifact(dir)
    expect(loaded.manifest.version).toBe('2.1.0')
    expect(loaded.manifest.featureNames).toEqual([...FEATURE_NAMES])
    const row = new Float32Array(FEATURE_NAMES.length).fill(1)
    const [onnx] = await loaded.scorer.score(row, 1)
    expect(onnx?.score).toBeCloseTo(scoreFeatures(loaded.model, row).score, 5)
    await loaded.scorer.close()
  })

  it('refuses a modified ONNX file, another feature list and another format version', async () => {
    const dir = await savedModel()
    const onnxPath = join(dir, 'model.onnx')
    const bytes = await readFile(onnxPath)
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1
    await writeFile(onnxPath, bytes)
    await expect(loadModelArtifact(dir)).rejects.toThrow(/^model\.onnx does not match the sha256/)

    const dir2 = await savedModel()
    await editManifest(dir2, (m) => (m.featureNames = [...FEATURE_NAMES].reverse()))
    await expect(loadModelArtifact(dir2)).rejects.toThrow(/model features do not match this build/)

    const dir3 = await savedModel()
    await editManifest(dir3, (m) => (m.formatVersion = 99))
    await expect(loadModelArtifact(dir3)).rejects.toThrow(/model format version 99 is not supported/)

    await expect(loadModelArtifact(join(dir3, 'nope'))).rejects.toThrow(/no such file/)
  })

  it('stores the training feature profile, and still loads a manifest from before profiles', async () => {
    const dir = await savedModel(true)
    const loaded = await loadModelArtifact(dir)
    await loaded.scorer.close()
    expect(loaded.manifest.featureProfile?.features.map((f) => f.name)).toEqual([...FEATURE_NAMES])
    expect(loaded.manifest.featureProfile?.features[0]?.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6)

    const old = await savedModel()
    const manifest = JSON.parse(await readFile(join(old, 'manifest.json'), 'utf8')) as Record<string, unknown>
    expect('featureProfile' in manifest).toBe(false)
    const oldLoaded = await loadModelArtifact(old)
    await oldLoaded.scorer.close()
    expect(oldLoaded.manifest.featureProfile).toBeUndefined()

    await editManifest(dir, (m) => ((m.featureProfile as { rows: unknown }).rows = 'many'))
    await expect(loadModelArtifact(dir)).rejects.toThrow(/invalid model manifest .*featureProfile\.rows/)
  })

  it('ships a default model that this build can load (rebuild it when features change)', async () => {
    const loaded = await loadModelArtifact(DEFAULT_MODEL_DIR)
    expect(loaded.manifest.supervised).toBe(true)
    await loaded.scorer.close()
  })
})
