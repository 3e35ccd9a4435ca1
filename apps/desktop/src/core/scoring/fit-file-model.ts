import { AppError } from '@anomalyze/shared'
import {
  buildFileFeatureMatrix,
  FEATURE_NAMES,
  fitFileIsolationForest,
  selectColumns,
  severityOf,
  trainOnFileLabels,
  type AlertBudget,
  type FileEvaluation,
  type FileFeatureMatrix,
  type ModelScore,
  type SeverityThresholds,
} from '@anomalyze/shared/engine'
import type { LoadedModel, OnnxScorer } from '@anomalyze/shared/node'
import type { FileModelKind } from '../../contract/scoring.ts'
import type { CollectedRows } from './file-rows-collector.ts'

export interface FittedFileScores {
  /** One per collected row, in file order. */
  scores: Float64Array
  severityThresholds: SeverityThresholds
  evaluation: FileEvaluation | null
}

/**
 * Fits the chosen model on a file's own rows and scores every one of them. The forest
 * looks at the amount and the file's own columns (balances, types) when it has them:
 * the engine's history features, built for card data, mostly add noise to an
 * isolation forest on other data (measured on PaySim, see bench/paysim.ts).
 */
export function fitFileModel(kind: FileModelKind, rows: CollectedRows, alertBudget?: AlertBudget): FittedFileScores {
  if (rows.count < 2) throw new AppError('BAD_INPUT', `the file has ${rows.count} good rows: a model fitted on it needs at least 2`)
  const matrix = buildFileFeatureMatrix(rows.features, rows.extras)
  if (kind === 'file-forest') {
    const forest = fitFileIsolationForest(selectColumns(matrix, forestColumns(matrix)), { alertBudget })
    return { ...forest, evaluation: null }
  }
  const labelled = rows.labels.reduce((n, l) => (l >= 0 ? n + 1 : n), 0)
  if (labelled === 0)
    throw new AppError('BAD_INPUT', 'the file has no label column mapped (or every label cell is empty): map its fraud label column to train on it')
  // An empty label cell counts as genuine: files mark the frauds, not every genuine row.
  const labels = Uint8Array.from(rows.labels, (l) => (l === 1 ? 1 : 0))
  try {
    const trained = trainOnFileLabels(matrix, labels, { order: rows.times, alertBudget })
    return trained
  } catch (error) {
    throw new AppError('BAD_INPUT', error instanceof Error ? error.message : String(error))
  }
}

function forestColumns(matrix: FileFeatureMatrix): string[] {
  return matrix.extraNames.length > 0 ? ['amount', ...matrix.extraNames] : [...FEATURE_NAMES]
}

/**
 * The active model with its scores replaced by precomputed file-fitted ones, so the
 * file goes through the usual scoring pipeline (rules, queue rows, rows file) again:
 * the pipeline asks for scores in file order, good rows only, as they were collected.
 */
export function withFittedScores(model: LoadedModel, fitted: FittedFileScores): LoadedModel {
  let next = 0
  const scorer: OnnxScorer = {
    raw: () => Promise.reject(new Error('a file-fitted model has no raw outputs')),
    score: (_rows, count) => {
      if (next + count > fitted.scores.length) {
        return Promise.reject(new AppError('CONFLICT', 'the file has more good rows than when the model was fitted on it; score it again'))
      }
      const out: ModelScore[] = []
      for (let i = 0; i < count; i += 1) {
        const score = fitted.scores[next + i] as number
        out.push({ score, severity: severityOf(fitted.severityThresholds, score), isolationScore: score, fraudProbability: null })
      }
      next += count
      return Promise.resolve(out)
    },
    close: () => Promise.resolve(),
  }
  return { ...model, model: { ...model.model, thresholds: fitted.severityThresholds }, scorer }
}
