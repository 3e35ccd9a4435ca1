// Node-only detection code: ONNX Runtime, model files, CSV streams, the CLI.
export * from './onnx/export-onnx.ts'
export * from './onnx/onnx-scorer.ts'
export * from './model-manifest.ts'
export * from './model-artifact.ts'
export * from './default-model.ts'
