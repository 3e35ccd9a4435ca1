import * as ort from 'onnxruntime-node'
import { combineRaw, type AnomalyModel, type ModelScore } from '../../detection/models/anomaly-model.ts'
import { ONNX_INPUT, ONNX_ISOLATION_OUTPUT, ONNX_SUPERVISED_OUTPUT } from './export-onnx.ts'

export interface RawOutputs {
  isolation: Float32Array
  supervised: Float32Array | null
}

/** Batch scoring with ONNX Runtime; the model JSON supplies post-processing. */
export interface OnnxScorer {
  raw(rows: Float32Array, count: number): Promise<RawOutputs>
  score(rows: Float32Array, count: number): Promise<ModelScore[]>
  close(): Promise<void>
}

export async function createOnnxScorer(onnxBytes: Uint8Array, model: AnomalyModel, options: { threads?: number } = {}): Promise<OnnxScorer> {
  // One thread by default: measured on 2 cores, two intra-op threads made tree
  // ensembles 2-3x slower per row (bench/score.ts), and parsing needs a core too.
  const session = await ort.InferenceSession.create(onnxBytes, { intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 })
  const width = model.featureNames.length
  const raw = async (rows: Float32Array, count: number): Promise<RawOutputs> => {
    const input = new ort.Tensor('float32', rows.subarray(0, count * width), [count, width])
    const result = await session.run({ [ONNX_INPUT]: input })
    const iso = result[ONNX_ISOLATION_OUTPUT]
    const sup = model.supervised ? result[ONNX_SUPERVISED_OUTPUT] : undefined
    if (!iso || (model.supervised && !sup)) throw new Error('the ONNX model does not produce the expected outputs')
    return { isolation: iso.data as Float32Array, supervised: sup ? (sup.data as Float32Array) : null }
  }
  return {
    raw,
    score: async (rows, count) => scoresFromRaw(model, await raw(rows, count), count),
    close: () => session.release(),
  }
}

/** Final scores from the ensembles' raw outputs (shared by the in-thread and worker scorers). */
export function scoresFromRaw(model: AnomalyModel, out: RawOutputs, count: number): ModelScore[] {
  const scores: ModelScore[] = new Array(count)
  for (let i = 0; i < count; i += 1) {
    scores[i] = combineRaw(model, out.isolation[i] as number, out.supervised ? (out.supervised[i] as number) : null)
  }
  return scores
}
