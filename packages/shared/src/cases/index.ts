export * from './case-status.ts'
export * from './sla.ts'
export * from './contract.ts'
