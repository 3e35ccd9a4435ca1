import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../src/services/models/model-files.ts'
import { callerFor } from './helpers/caller.ts'
import { shippedModelUpload } from './helpers/model-uploads.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'
import { ensurePersonalWorkspace } from '../src/services/organizations/workspaces.ts'

describe('model registry', () => {
  let database: TestDatabase
  let services: TestServices
  const userId = 'user_models'

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices()
    await ensurePersonalWorkspace(database.db, { id: userId, name: 'Models' })
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  const caller = () => callerFor(database.db, userId, {}, services)

  it('scores with the shipped default model until a version is activated', async () => {
    const empty = await caller().models.list()
    expect(empty.activeVersion).toBe('default')
    expect(empty.versions.map((v) => [v.id, v.version, v.isActive, v.shippedDefault])).toEqual([['shipped-default', 'default', true, true]])
    const ingested = await caller().ingest.transactions({
      transactions: [{ txId: 'm-1', timestamp: Date.UTC(2026, 0, 1, 12), amount: 10, accountId: 'A', merchantId: 'M' }],
    })
    expect(ingested.modelVersion).toMatch(/^default@/)
    expect((await caller().models.active()).files).toEqual([])
  })

  it('registers verified artifacts as inactive versions, stored in object storage', async () => {
    const first = await caller().models.register(shippedModelUpload('1.0.0'))
    const second = await caller().models.register(shippedModelUpload('1.1.0'))
    expect(first).toMatchObject({ version: '1.0.0', s3Path: `users/${userId}/models/1.0.0/model.onnx` })
    expect(await services.storage.head(second.s3Path)).not.toBeNull()
    const listed = await caller().models.list()
    expect(listed.versions.map((v) => [v.version, v.isActive])).toEqual([
      ['1.1.0', false],
      ['1.0.0', false],
      ['default', true],
    ])
    expect(listed.versions[0]?.metrics).toHaveProperty('holdoutAveragePrecision')
  })

  it('refuses a version already registered', async () => {
    await expect(caller().models.register(shippedModelUpload('1.0.0'))).rejects.toThrow(/1\.0\.0 is already registered/)
  })

  it('refuses corrupt uploads and manifests that do not match this build, registering nothing', async () => {
    const corrupt = shippedModelUpload('2.0.0')
    const bytes = Buffer.from(corrupt.onnxBase64, 'base64')
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff
    await expect(caller().models.register({ ...corrupt, onnxBase64: bytes.toString('base64'), sha256: undefined })).rejects.toThrow(
      /Model refused: model\.onnx does not match the sha256 in its manifest/,
    )
    await expect(caller().models.register({ ...corrupt, onnxBase64: bytes.toString('base64') })).rejects.toThrow(/expected [0-9a-f]{64}/)
    const renamed = shippedModelUpload('2.0.1', (m) => {
      m.featureNames = [...(m.featureNames as string[]).slice(1), 'shoe_size']
    })
    await expect(caller().models.register(renamed)).rejects.toThrow(/model features do not match this build \(missing: amount; unknown: shoe_size/)
    const badJson = { ...shippedModelUpload('2.0.2'), manifest: '{"format":"anomalyze-model","formatVersion":1}' }
    await expect(caller().models.register(badJson)).rejects.toThrow(/invalid model manifest/)
    expect((await caller().models.list()).versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0', 'default'])
  })

  it('activates exactly one version, audits old and new, and ingestion switches to it', async () => {
    await caller().models.activate({ version: '1.0.0' })
    const result = await caller().models.activate({ version: '1.1.0' })
    expect(result).toEqual({ version: '1.1.0', previousVersion: '1.0.0' })
    const active = await database.db.modelArtifact.findMany({ where: { orgId: userId, isActive: true } })
    expect(active.map((a) => a.version)).toEqual(['1.1.0'])
    const audit = await database.db.auditLog.findMany({ where: { orgId: userId, action: 'model.activate' }, orderBy: { createdAt: 'asc' } })
    expect(audit.map((a) => [a.oldData, (a.newData as { version: string }).version])).toEqual([
      [{ version: null }, '1.0.0'],
      [{ version: '1.0.0' }, '1.1.0'],
    ])
    const ingested = await caller().ingest.transactions({
      transactions: [{ txId: 'm-2', timestamp: Date.UTC(2026, 0, 1, 13), amount: 10, accountId: 'A', merchantId: 'M' }],
    })
    expect(ingested.modelVersion).toBe('1.1.0')
  })

  it('keeps exactly one active version under concurrent activations', async () => {
    await Promise.all([
      caller().models.activate({ version: '1.0.0' }),
      caller().models.activate({ version: '1.1.0' }),
      caller().models.activate({ version: '1.0.0' }),
    ])
    expect(await database.db.modelArtifact.count({ where: { orgId: userId, isActive: true } })).toBe(1)
    await caller().models.activate({ version: '1.1.0' })
  })

  it('rolls back to the version active before, or to a named one', async () => {
    expect(await caller().models.rollback({})).toMatchObject({ version: '1.0.0', previousVersion: '1.1.0' })
    expect(await caller().models.rollback({ version: '1.1.0' })).toMatchObject({ version: '1.1.0' })
    const last = await database.db.auditLog.findFirst({ where: { orgId: userId, action: 'model.activate' }, orderBy: { createdAt: 'desc' } })
    expect(last?.newData).toMatchObject({ version: '1.1.0', reason: 'rollback' })
  })

  it('never activates a version whose stored files were corrupted, and keeps the current one', async () => {
    await caller().models.register(shippedModelUpload('1.2.0'))
    await services.storage.put(`users/${userId}/models/1.2.0/model.onnx`, Buffer.from('not a model'))
    await expect(caller().models.activate({ version: '1.2.0' })).rejects.toThrow(/Model 1\.2\.0 cannot be activated: .*sha256/)
    expect((await caller().models.list()).activeVersion).toBe('1.1.0')
  })

  it('gives desktops signed links to the active artifact files', async () => {
    const active = await caller().models.active()
    expect(active.version).toBe('1.1.0')
    expect(active.files.map((f) => f.name).sort()).toEqual(['manifest.json', 'model.json', 'model.onnx'])
    for (const file of active.files) expect(file.url).toMatch(/^http:\/\/127\.0\.0\.1:1\/files\//)
    const stored = await services.storage.get(`users/${userId}/models/1.1.0/model.onnx`)
    const chunks: Buffer[] = []
    for await (const chunk of stored) chunks.push(chunk as Buffer)
    expect(sha256Hex(Buffer.concat(chunks))).toBe(active.sha256)
  })

  it('keeps ingesting with the shipped model when the active version cannot be loaded, and says so', async () => {
    // As after an upgrade of the engine, or storage gone bad: the active row points at
    // files this build refuses (1.2.0 was corrupted above).
    await database.db.modelArtifact.updateMany({ where: { orgId: userId }, data: { isActive: false } })
    await database.db.modelArtifact.updateMany({ where: { orgId: userId, version: '1.2.0' }, data: { isActive: true } })
    services.models.invalidate(userId)
    const fallbacks: { artifactId: string; reason: string }[] = []
    services.models.onFallback((details) => fallbacks.push(details))
    try {
      const ingested = await caller().ingest.transactions({
        transactions: [{ txId: 'm-after-upgrade', timestamp: Date.UTC(2026, 0, 2, 12), amount: 10, accountId: 'A', merchantId: 'M' }],
      })
      expect(ingested).toMatchObject({ accepted: 1, modelVersion: expect.stringMatching(/^default@/) })
      expect(fallbacks).toHaveLength(1)
      expect(fallbacks[0]?.reason).toMatch(/sha256/)
    } finally {
      services.models.onFallback(() => {})
      await database.db.modelArtifact.updateMany({ where: { orgId: userId }, data: { isActive: false } })
      await database.db.modelArtifact.updateMany({ where: { orgId: userId, version: '1.1.0' }, data: { isActive: true } })
      services.models.invalidate(userId)
    }
  })
})
