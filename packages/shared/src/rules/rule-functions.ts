import type { FeatureName } from '../detection/features/compute-features.ts'
import type { FieldType, RuleWindow } from './fields.ts'

/** How the checker types a call and how the compiler runs it. */
export type FunctionSpec =
  | {
      kind: 'math'
      params: readonly FieldType[]
      returns: 'number' /** abs ignores its second argument (always 0). */
      apply: (a: number, b: number) => number
    }
  | { kind: 'text'; params: readonly FieldType[]; returns: FieldType }
  /** A window helper: one window literal, answered by the feature for that window. */
  | { kind: 'window'; params: readonly ['text']; returns: 'number'; features: Readonly<Record<RuleWindow, FeatureName>> }
  /** A feature under a friendlier name, no arguments. */
  | { kind: 'feature'; params: readonly []; returns: 'number'; feature: FeatureName }

export const FUNCTION_SPECS: Readonly<Record<string, FunctionSpec>> = {
  abs: { kind: 'math', params: ['number'], returns: 'number', apply: (a) => Math.abs(a) },
  min: { kind: 'math', params: ['number', 'number'], returns: 'number', apply: Math.min },
  max: { kind: 'math', params: ['number', 'number'], returns: 'number', apply: Math.max },
  count_last: { kind: 'window', params: ['text'], returns: 'number', features: { '1d': 'acct_count_1d', '7d': 'acct_count_7d', '30d': 'acct_count_30d' } },
  avg_amount_last: {
    kind: 'window',
    params: ['text'],
    returns: 'number',
    features: { '1d': 'acct_avg_amount_1d', '7d': 'acct_avg_amount_7d', '30d': 'acct_avg_amount_30d' },
  },
  merchant_count_last: {
    kind: 'window',
    params: ['text'],
    returns: 'number',
    features: { '1d': 'merch_count_1d', '7d': 'merch_count_7d', '30d': 'merch_count_30d' },
  },
  hours_since_last: { kind: 'feature', params: [], returns: 'number', feature: 'acct_hours_since_last' },
  lower: { kind: 'text', params: ['text'], returns: 'text' },
  starts_with: { kind: 'text', params: ['text', 'text'], returns: 'bool' },
}

export function functionSpec(name: string): FunctionSpec | undefined {
  return Object.hasOwn(FUNCTION_SPECS, name) ? FUNCTION_SPECS[name] : undefined
}
