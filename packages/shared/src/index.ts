// Pure, platform-free domain code. Nothing here may import Node, DOM, Electron or
// Prisma: the desktop renderer, the desktop core and the server all use it.
export * from './errors.ts'
export * from './domain/severity.ts'
export * from './transactions/transaction-input.ts'
export * from './random.ts'
export * from './generator/generate-transactions.ts'
export * from './domain/anomaly.ts'
export * from './sync/contract.ts'
