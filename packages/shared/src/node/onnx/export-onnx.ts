import onnxProto from 'onnx-proto'
import type { AnomalyModel } from '../../detection/models/anomaly-model.ts'
import type { TreeEnsemble } from '../../detection/models/tree-ensemble.ts'

const { onnx } = onnxProto
type Attribute = InstanceType<typeof onnx.AttributeProto>
const { AttributeType } = onnx.AttributeProto

export const ONNX_INPUT = 'features'
export const ONNX_ISOLATION_OUTPUT = 'isolation_raw'
export const ONNX_SUPERVISED_OUTPUT = 'supervised_raw'

const encoder = new TextEncoder()
const LEAF = encoder.encode('LEAF')
const BRANCH = encoder.encode('BRANCH_LEQ')

const ints = (name: string, values: number[]): Attribute => onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: values })
const floats = (name: string, values: number[]): Attribute => onnx.AttributeProto.create({ name, type: AttributeType.FLOATS, floats: values })
const int = (name: string, value: number): Attribute => onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value })
const str = (name: string, value: string): Attribute => onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: encoder.encode(value) })

/**
 * One ai.onnx.ml TreeEnsembleRegressor node computing the ensemble's raw output
 * (base + sum of leaves). Post-processing (sigmoid, isolation normalisation, blend)
 * stays in TypeScript, shared with the reference scorer, so both paths agree.
 */
function treeEnsembleNode(ensemble: TreeEnsemble, output: string): InstanceType<typeof onnx.NodeProto> {
  const a = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
    modes: [] as Uint8Array[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    missing: [] as number[],
    tTree: [] as number[],
    tNode: [] as number[],
    tIds: [] as number[],
    tWeights: [] as number[],
  }
  ensemble.trees.forEach((tree, t) => {
    tree.feature.forEach((f, node) => {
      const leaf = f < 0
      a.treeIds.push(t)
      a.nodeIds.push(node)
      a.featureIds.push(leaf ? 0 : f)
      a.values.push(leaf ? 0 : (tree.threshold[node] as number))
      a.modes.push(leaf ? LEAF : BRANCH)
      a.trueIds.push(leaf ? 0 : (tree.left[node] as number))
      a.falseIds.push(leaf ? 0 : (tree.right[node] as number))
      a.missing.push(0)
      if (leaf) {
        a.tTree.push(t)
        a.tNode.push(node)
        a.tIds.push(0)
        a.tWeights.push(tree.value[node] as number)
      }
    })
  })
  return onnx.NodeProto.create({
    name: output,
    opType: 'TreeEnsembleRegressor',
    domain: 'ai.onnx.ml',
    input: [ONNX_INPUT],
    output: [output],
    attribute: [
      int('n_targets', 1),
      ints('nodes_treeids', a.treeIds),
      ints('nodes_nodeids', a.nodeIds),
      ints('nodes_featureids', a.featureIds),
      floats('nodes_values', a.values),
      onnx.AttributeProto.create({ name: 'nodes_modes', type: AttributeType.STRINGS, strings: a.modes }),
      ints('nodes_truenodeids', a.trueIds),
      ints('nodes_falsenodeids', a.falseIds),
      ints('nodes_missing_value_tracks_true', a.missing),
      ints('target_treeids', a.tTree),
      ints('target_nodeids', a.tNode),
      ints('target_ids', a.tIds),
      floats('target_weights', a.tWeights),
      floats('base_values', [ensemble.base]),
      str('aggregate_function', 'SUM'),
      str('post_transform', 'NONE'),
    ],
  })
}

function tensorInfo(name: string, width: number | null): InstanceType<typeof onnx.ValueInfoProto> {
  const dims = [{ dimParam: 'N' }, width === null ? { dimValue: 1 } : { dimValue: width }]
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } } },
  })
}

/** The model's tree ensembles as ONNX bytes: input `features` [N, F] float32. */
export function modelToOnnx(model: AnomalyModel): Uint8Array {
  const nodes = [treeEnsembleNode(model.isolation.ensemble, ONNX_ISOLATION_OUTPUT)]
  const outputs = [tensorInfo(ONNX_ISOLATION_OUTPUT, null)]
  if (model.supervised) {
    nodes.push(treeEnsembleNode(model.supervised, ONNX_SUPERVISED_OUTPUT))
    outputs.push(tensorInfo(ONNX_SUPERVISED_OUTPUT, null))
  }
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'anomalyze',
    producerVersion: String(model.formatVersion),
    opsetImport: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    graph: {
      name: 'anomalyze',
      node: nodes,
      input: [tensorInfo(ONNX_INPUT, model.featureNames.length)],
      output: outputs,
    },
  })
  return onnx.ModelProto.encode(proto).finish()
}
