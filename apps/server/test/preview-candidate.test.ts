import { randomUUID } from 'node:crypto'
import { MAX_PUSH_DECISIONS } from '@anomalyze/shared'
import { buildFeatureMatrix, generateTransactions, scoreFeatureBatch, severityOf, type AnomalyModel, type GeneratedTransaction } from '@anomalyze/shared/engine'
import type { TRPCError } from '@trpc/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { artifactKeys, getArtifactFiles } from '../src/services/models/model-files.ts'
import { PREVIEW_DAYS } from '../src/services/training/preview-candidate.ts'
import { callerFor } from './helpers/caller.ts'
import { createProAccountWithTraining, trainingFinished } from './helpers/pro-account.ts'
import { shippedModelUpload } from './helpers/model-uploads.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'
import { createTestServices, type TestServices } from './helpers/test-services.ts'

/**
 * The before/after preview of a candidate model, on the feedback loop's data: a few
 * merchants whose large, legal sales keep raising alerts, a few dozen of those
 * labelled false positive, the real frauds confirmed, a retraining. The candidate is
 * then previewed against the active version (the shipped model, registered as
 * 1.0.0): the labelled false positives of those merchants drop out of the queue
 * while the confirmed frauds stay caught. Every figure is checked against a second
 * computation from the generated data (shared feature code, both models' trees).
 */
const DAY = 86_400_000
const NOISY = new Set(['T00000', 'T00001', 'T00002', 'T00003'])
const FALSE_POSITIVES_TO_LABEL = 40
const START = Date.UTC(2026, 0, 1)

describe('candidate model preview', () => {
  let database: TestDatabase
  let services: TestServices
  const userId = 'user_preview'
  // 35 days, as the feedback-loop demonstration trains on.
  const items: GeneratedTransaction[] = [
    ...generateTransactions({ seed: 7, customers: 250, terminals: 500, days: 35, startDate: '2026-01-01', noisyMerchants: NOISY.size }),
  ]
  const truth = new Map(items.map((i) => [i.transaction.txId, i]))
  const falsePositiveIds = new Set<string>()
  const confirmedIds = new Set<string>()
  let candidateId = ''

  beforeAll(async () => {
    database = await createTestDatabase()
    services = await createTestServices({ databaseUrl: database.url })
    await createProAccountWithTraining(database.db, services, { id: userId, name: 'Preview' })
  })
  afterAll(async () => {
    await services.close()
    await database.drop()
  })

  const caller = () => callerFor(database.db, userId, { name: 'Asha' }, services)

  const finished = (id: string) => trainingFinished(() => caller().training.get({ id }))

  it('trains a candidate on labels that waits for review, leaving the registered shipped model active', async () => {
    // The shipped model as a registered, active version: the "before" side is then
    // loaded and verified from storage like any other version.
    await caller().models.register(shippedModelUpload('1.0.0'))
    await caller().models.activate({ version: '1.0.0' })
    for (let i = 0; i < items.length; i += 1_000) {
      const result = await caller().ingest.transactions({ transactions: items.slice(i, i + 1_000).map((g) => g.transaction) })
      expect(result.rejected).toBe(0)
    }
    const alerts = await database.db.anomaly.findMany({
      where: { orgId: userId, severity: { not: 'LOW' } },
      select: { id: true, transaction: { select: { txId: true, merchantId: true, timestamp: true } } },
      orderBy: { transaction: { timestamp: 'asc' } },
    })
    const candidates = alerts.filter(
      (a) => NOISY.has(a.transaction.merchantId) && !truth.get(a.transaction.txId)?.isFraud && a.transaction.timestamp.getTime() >= START + 7 * DAY,
    )
    const step = candidates.length / FALSE_POSITIVES_TO_LABEL
    const falsePositives = Array.from({ length: Math.min(FALSE_POSITIVES_TO_LABEL, candidates.length) }, (_, k) => candidates[Math.floor(k * step)]!)
    const frauds = alerts.filter((a) => truth.get(a.transaction.txId)?.isFraud)
    expect(falsePositives).toHaveLength(FALSE_POSITIVES_TO_LABEL)
    for (const a of falsePositives) falsePositiveIds.add(a.transaction.txId)
    for (const a of frauds) confirmedIds.add(a.transaction.txId)
    const decisions = [
      ...falsePositives.map((a) => ({ anomalyId: a.id, label: 'FALSE_POSITIVE' as const })),
      ...frauds.map((a) => ({ anomalyId: a.id, label: 'CONFIRMED_FRAUD' as const })),
    ].map((d) => ({ ...d, mutationId: randomUUID(), decidedAt: Date.now() }))
    for (let i = 0; i < decisions.length; i += MAX_PUSH_DECISIONS) {
      const pushed = await caller().sync.push({ decisions: decisions.slice(i, i + MAX_PUSH_DECISIONS) })
      expect(pushed.results.every((r) => r.outcome === 'applied')).toBe(true)
    }

    const job = await finished((await caller().training.start()).id)
    expect(job.failureReason).toBeNull()
    expect(job.modelArtifact?.version).toBe('1.1.0')
    // Automatic activation is off by default: winner or not, the candidate stays inactive and 1.0.0 stays.
    expect(['waiting-for-review', 'not-better']).toContain((job.report as { decision: string }).decision)
    expect(job.modelArtifact?.isActive).toBe(false)
    const listed = await caller().models.list()
    expect(listed.activeVersion).toBe('1.0.0')
    candidateId = listed.versions.find((v) => v.version === '1.1.0')!.id
  })

  it('shows the labelled false positives of the noisy merchants leaving the queue while confirmed fraud stays caught', async () => {
    const preview = await caller().models.previewCandidate({ modelId: candidateId, limit: 100 })

    // Second route: the generated transactions in time order, features by the shared
    // code with the confirmed frauds fed back, each model's trees from storage.
    const ordered = [...items].sort((a, b) => a.transaction.timestamp - b.transaction.timestamp)
    const matrix = buildFeatureMatrix(ordered.map((g) => ({ transaction: g.transaction, isFraud: confirmedIds.has(g.transaction.txId) })))
    const treesOf = async (version: string) => {
      const row = await database.db.modelArtifact.findUniqueOrThrow({ where: { orgId_version: { orgId: userId, version } } })
      return JSON.parse((await getArtifactFiles(services.storage, row.s3Path)).trees.toString('utf8')) as AnomalyModel
    }
    const [current, candidate] = await Promise.all([treesOf('1.0.0'), treesOf('1.1.0')])
    const before = scoreFeatureBatch(current, matrix.rows)
    const after = scoreFeatureBatch(candidate, matrix.rows)
    const last = ordered.at(-1)!.transaction.timestamp
    const expected = {
      window: 0,
      alertsBefore: 0,
      alertsAfter: 0,
      dropped: 0,
      added: 0,
      fpLabelled: 0,
      fpAlerted: 0,
      fpDropped: 0,
      fraudBefore: 0,
      fraudKept: 0,
    }
    ordered.forEach((g, i) => {
      if (g.transaction.timestamp <= last - PREVIEW_DAYS * DAY) return
      expected.window += 1
      const was = severityOf(current.thresholds, before[i] ?? 0) !== 'LOW'
      const is = severityOf(candidate.thresholds, after[i] ?? 0) !== 'LOW'
      if (was) expected.alertsBefore += 1
      if (is) expected.alertsAfter += 1
      if (was && !is) expected.dropped += 1
      if (!was && is) expected.added += 1
      if (falsePositiveIds.has(g.transaction.txId)) {
        expected.fpLabelled += 1
        if (was) expected.fpAlerted += 1
        if (was && !is) expected.fpDropped += 1
      }
      if (confirmedIds.has(g.transaction.txId) && was) {
        expected.fraudBefore += 1
        if (is) expected.fraudKept += 1
      }
    })

    console.log(
      `[preview] ${preview.current.version} -> ${preview.candidate.version} on ${preview.window.transactions} transactions (${preview.window.from} .. ${preview.window.to}, ${preview.computedMs} ms): ` +
        `alerts ${preview.before.alerts} -> ${preview.after.alerts} (${JSON.stringify(preview.before.bySeverity)} -> ${JSON.stringify(preview.after.bySeverity)}), ` +
        `${preview.droppedOut} dropped, ${preview.newAlerts} new, ${preview.severityChanged} changed severity; ` +
        `labelled false positives below threshold ${preview.falsePositives.droppedBelowThreshold} of ${preview.falsePositives.alertedBefore}; ` +
        `confirmed frauds still caught ${preview.confirmedFrauds.stillCaught} of ${preview.confirmedFrauds.caughtBefore}`,
    )
    expect(preview.current.version).toBe('1.0.0')
    expect(preview.candidate.version).toBe('1.1.0')
    expect(preview.window).toMatchObject({ transactions: expected.window, boundedBy: 'days', historyReplayed: items.length })
    expect(preview.before.alerts).toBe(expected.alertsBefore)
    expect(preview.after.alerts).toBe(expected.alertsAfter)
    expect(preview.droppedOut).toBe(expected.dropped)
    expect(preview.newAlerts).toBe(expected.added)
    expect(preview.after.alerts).toBe(preview.before.alerts - preview.droppedOut + preview.newAlerts)
    expect(preview.falsePositives).toEqual({ labelled: expected.fpLabelled, alertedBefore: expected.fpAlerted, droppedBelowThreshold: expected.fpDropped })
    expect(preview.confirmedFrauds.caughtBefore).toBe(expected.fraudBefore)
    expect(preview.confirmedFrauds.stillCaught).toBe(expected.fraudKept)

    // The evaluation's figures on the same window, recomputed from the labels.
    const windowCards = new Set(ordered.filter((g) => g.transaction.timestamp > last - PREVIEW_DAYS * DAY).map((g) => g.transaction.accountId))
    expect(windowCards.size).toBeGreaterThan(0)
    expect(preview.comparison.current.version).toBe('1.0.0')
    expect(preview.comparison.candidate.version).toBe('1.1.0')
    expect(preview.comparison.cardPrecisionK).toBe(Math.min(100, expected.window))
    const days = new Set(ordered.filter((g) => g.transaction.timestamp > last - PREVIEW_DAYS * DAY).map((g) => Math.floor(g.transaction.timestamp / DAY))).size
    expect(preview.comparison.current.alertsPerDay).toBeCloseTo(expected.alertsBefore / days, 9)
    expect(preview.comparison.candidate.alertsPerDay).toBeCloseTo(expected.alertsAfter / days, 9)
    expect(preview.comparison.alertVolume.budgetPerDay).toBe(200)
    expect(preview.comparison.alertVolume.warning === null).toBe(expected.alertsAfter <= expected.alertsBefore * 1.2)
    for (const side of [preview.comparison.current, preview.comparison.candidate]) {
      expect(side.averagePrecision).toBeGreaterThan(0)
      expect(side.aucRoc).toBeGreaterThan(0.5)
      expect(side.cardPrecisionAtK).toBeGreaterThan(0)
    }

    // The claim: most labelled false positives leave the queue, fraud stays caught.
    expect(expected.fpAlerted).toBeGreaterThan(FALSE_POSITIVES_TO_LABEL / 2)
    expect(preview.falsePositives.droppedBelowThreshold).toBeGreaterThan(preview.falsePositives.alertedBefore / 2)
    expect(preview.confirmedFrauds.caughtBefore).toBeGreaterThan(10)
    expect(preview.confirmedFrauds.stillCaught).toBeGreaterThanOrEqual(Math.floor(preview.confirmedFrauds.caughtBefore * 0.8))
    // The moved list names them: dropped noisy-merchant false positives with their label.
    const droppedFalsePositives = preview.moved.filter((m) => m.change === 'dropped' && m.decision === 'FALSE_POSITIVE')
    expect(droppedFalsePositives.length).toBeGreaterThan(0)
    for (const m of droppedFalsePositives) {
      expect(NOISY.has(m.merchantId)).toBe(true)
      expect(m.amount).toBe(truth.get(m.txId)?.transaction.amount)
    }
    expect(preview.moved.length).toBe(Math.min(100, preview.movedTotal))
  })

  it('refuses to preview the active version, an unknown id, or a corrupt artifact', async () => {
    const active = (await caller().models.list()).versions.find((v) => v.isActive)!
    await expect(caller().models.previewCandidate({ modelId: active.id })).rejects.toThrow(/1\.0\.0 is already the active model/)
    const missing = await caller()
      .models.previewCandidate({ modelId: randomUUID() })
      .catch((e: unknown) => e)
    expect((missing as TRPCError).code).toBe('NOT_FOUND')
    await expect(caller().models.previewCandidate({ modelId: 'nope' })).rejects.toThrow(/must be a model version id/)

    const row = await database.db.modelArtifact.findUniqueOrThrow({ where: { id: candidateId } })
    const keys = artifactKeys(row.s3Path)
    const original = (await getArtifactFiles(services.storage, row.s3Path)).onnx
    const corrupt = Buffer.from(original)
    corrupt[corrupt.length - 10] = (corrupt[corrupt.length - 10] ?? 0) ^ 0xff
    await services.storage.put(keys.onnx, corrupt)
    await expect(caller().models.previewCandidate({ modelId: candidateId })).rejects.toThrow(/Cannot preview: the candidate 1\.1\.0 is unusable: .*sha256/)
    await services.storage.delete(keys.trees)
    await expect(caller().models.previewCandidate({ modelId: candidateId })).rejects.toThrow(
      /Cannot preview: the candidate 1\.1\.0 has files missing from storage/,
    )
  })
})
