import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { trainWithFeedback, type AnomalyModel } from '@anomalyze/shared/engine'
import { MANIFEST_FILE, ONNX_FILE, saveModelArtifact, TREES_FILE } from '@anomalyze/shared/node'
import { evaluateCandidate, type EvaluationReport } from './evaluate-candidate.ts'
import type { StreamedTrainingSet } from './stream-training-set.ts'

/** Fewest analyst decisions of each kind a retraining needs (below that it says so and stops). */
export const MIN_CONFIRMED_FRAUDS = 5
export const MIN_FALSE_POSITIVES = 5
/** The latest share of transactions, by time, kept out of training to compare the models. */
export const HOLDOUT_FRACTION = 0.25

/** A reason the user can act on; the job ends FAILED with it and the current model stays. */
export class TrainingRefused extends Error {}

export interface CandidateInput {
  set: StreamedTrainingSet
  current: { version: string; model: AnomalyModel }
  /** The version the candidate is registered as. */
  version: string
  trainingJobId: string
  /** Organization.alertBudgetPerDay. */
  budgetPerDay: number
}

export interface TrainedCandidate {
  report: EvaluationReport
  files: { manifest: Uint8Array; onnx: Uint8Array; trees: Uint8Array }
  /** Rows the trees were trained on (before the holdout). */
  trainingRows: number
}

/**
 * The CPU-heavy part of a retraining, which runs on the training worker thread:
 * checks there are enough labels on both sides of the time split, trains on all but
 * the latest HOLDOUT_FRACTION, evaluates against the current model on that latest
 * part, and writes the artifact's three files (read back as bytes for the caller to
 * register). Throws TrainingRefused with a sentence the analyst can act on.
 */
export async function trainCandidate(input: CandidateInput, onStage: (stage: 'trained' | 'evaluated') => void = () => {}): Promise<TrainedCandidate> {
  const { set, current, version } = input
  const keeps = `The current model (${current.version}) stays active.`
  if (set.frauds < MIN_CONFIRMED_FRAUDS || set.falsePositives < MIN_FALSE_POSITIVES) {
    throw new TrainingRefused(
      `Too few labels to retrain: ${set.frauds} confirmed fraud and ${set.falsePositives} false positive decisions; ` +
        `retraining needs at least ${MIN_CONFIRMED_FRAUDS} of each. ${keeps}`,
    )
  }
  const count = set.kept
  const labels = Uint8Array.from(set.decisions, (d) => (d === 'CONFIRMED_FRAUD' ? 1 : 0))
  const decided = Uint8Array.from(set.decisions, (d) => (d === null ? 0 : 1))
  const split = Math.floor(count * (1 - HOLDOUT_FRACTION))
  const trainFrauds = labels.subarray(0, split).reduce((a, b) => a + b, 0)
  const holdoutFrauds = labels.subarray(split).reduce((a, b) => a + b, 0)
  if (trainFrauds < MIN_CONFIRMED_FRAUDS || holdoutFrauds === 0) {
    throw new TrainingRefused(
      `Labels are too unevenly spread in time to train and evaluate: ${trainFrauds} confirmed frauds before and ${holdoutFrauds} in the ` +
        `latest ${Math.round(HOLDOUT_FRACTION * 100)}% of transactions (held out for evaluation); confirm frauds in both periods. ${keeps}`,
    )
  }
  const trained = trainWithFeedback(set.rows, { labels, decided, holdoutFraction: HOLDOUT_FRACTION })
  onStage('trained')
  const report = evaluateCandidate(
    { rows: set.rows, decisions: set.decisions, timestamps: set.timestamps, accountIds: set.accountIds },
    trained.split,
    current,
    { version, model: trained.model },
    input.budgetPerDay,
  )
  onStage('evaluated')
  const dir = await mkdtemp(path.join(os.tmpdir(), 'anomalyze-train-'))
  try {
    await saveModelArtifact(dir, trained.model, {
      version,
      metrics: trained.metrics,
      training: {
        source:
          `organisation transactions and analyst decisions (training job ${input.trainingJobId})` +
          (set.kept < set.replayed ? `; ${set.kept} of ${set.replayed} transactions kept (every labelled one and the newest)` : ''),
        rows: trained.split,
        frauds: trainFrauds,
        from: set.firstTimestamp === null ? null : new Date(set.firstTimestamp).toISOString(),
        to: report.holdout.from,
      },
    })
    const [manifest, onnx, trees] = await Promise.all([MANIFEST_FILE, ONNX_FILE, TREES_FILE].map((f) => readFile(path.join(dir, f))))
    return { report, files: { manifest: manifest!, onnx: onnx!, trees: trees! }, trainingRows: trained.split }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
