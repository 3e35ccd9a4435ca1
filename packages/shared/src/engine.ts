// The detection engine and the seed generator: pure code (no Node, DOM or Electron),
// so the desktop core, the server and a page that scores or explains can all run it.
// It builds on the domain (`@anomalyze/shared`); ONNX, CSV streams and the CLI are
// Node-only and live in `@anomalyze/shared/node`.
export * from './random.ts'
export * from './generator/generate-transactions.ts'
export * from './detection/column-mapping.ts'
export * from './detection/row-conversion.ts'
export * from './detection/features/compute-features.ts'
export * from './detection/features/feature-state.ts'
export * from './detection/features/feature-engine.ts'
export * from './detection/features/feature-matrix.ts'
export * from './detection/rules.ts'
export * from './rules/index.ts'
export * from './detection/metrics.ts'
export * from './detection/explain.ts'
export * from './detection/models/tree-ensemble.ts'
export * from './detection/models/isolation-forest.ts'
export * from './detection/models/gradient-boosting.ts'
export * from './detection/models/anomaly-model.ts'
export * from './detection/models/train-model.ts'
export * from './detection/evaluation/evaluate-model.ts'
export * from './detection/evaluation/train-with-feedback.ts'
