// The rule types are pure (no parser): the domain entry point carries them with the wire contract.
export * from '../rules/rule-types.ts'
export * from './contract.ts'
