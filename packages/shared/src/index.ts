// The pure domain: types, schemas, errors, validation, the sync contract. Nothing
// here may import Node, DOM, Electron or Prisma, nor the detection engine: the desktop
// renderer, the desktop core and the server all use it, and the renderer's bundle
// should carry no more than the page needs. The engine is `@anomalyze/shared/engine`,
// Node-only code (ONNX, CSV, CLI, files) is `@anomalyze/shared/node`.
export * from './errors.ts'
export * from './domain/severity.ts'
export * from './validation/time-bounds.ts'
export * from './validation/safe-text.ts'
export * from './transactions/transaction-input.ts'
export * from './domain/anomaly.ts'
export * from './domain/rows.ts'
export * from './sync/contract.ts'
export * from './cases/index.ts'
export * from './rules-api/index.ts'
