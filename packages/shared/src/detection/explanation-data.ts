import { z } from 'zod'
import { FEATURE_WORDS, moneyFormatter } from './feature-labels.ts'
import type { FeatureName } from './features/compute-features.ts'

/**
 * What an anomaly stores as `explanationData` (server `Anomaly.explanationData`, desktop
 * `explanation_data`), and how a reader gets bars out of it whatever its age.
 *
 * Version 2 (`v: 2`): contributions in score units (see score-contributions.ts), the
 * largest STORED_CONTRIBUTIONS by size split into raisedBy/loweredBy, and `other` for the
 * rest, so baseline + sum(raisedBy) + sum(loweredBy) + other = modelScore. Rows written
 * before it have only `topFeatures` (raised-only, in the trees' own units) or nothing.
 * Writers add their own keys beside these (isolationScore, features, line...).
 */
export const STORED_CONTRIBUTIONS = 10

export const ZStoredContribution = z.object({
  feature: z.string(),
  label: z.string(),
  value: z.number(),
  norm: z.number().nullable(),
  text: z.string(),
  /** Push on the score, in score units (0..1): positive raised it. */
  contribution: z.number(),
  /** Of which the isolation forest's part (0 without a blend). */
  isolation: z.number(),
})
export type TStoredContribution = z.infer<typeof ZStoredContribution>

export const ZIsolationShare = z.object({
  /** The model's isolationBlend (how it applies is the model's isolationBlendRule). */
  weight: z.number(),
  isolationScore: z.number(),
  /** Its total push on the score: its Shapley share of the blend, the sum of the `isolation` parts. */
  contribution: z.number(),
})
export type TIsolationShare = z.infer<typeof ZIsolationShare>

export const ZExplanationDataV2 = z.object({
  v: z.literal(2),
  baseline: z.number(),
  modelScore: z.number(),
  raisedBy: z.array(ZStoredContribution),
  loweredBy: z.array(ZStoredContribution),
  other: z.number(),
  isolationShare: ZIsolationShare.nullable(),
  /** What the rules added on top of the model's score. */
  ruleBoost: z.number(),
})
export type TExplanationDataV2 = z.infer<typeof ZExplanationDataV2>

// Rows before version 2: `topFeatures` of raised-only reasons, maybe with old wording.
const ZLegacyExplanationData = z.object({
  topFeatures: z.array(z.object({ feature: z.string(), value: z.number().optional(), contribution: z.number(), text: z.string().optional() })),
})

/** One bar of the explanation chart, in an analyst's words. */
export interface ExplanationBar {
  feature: string
  label: string
  text: string
  contribution: number
  /** The isolation forest's part of `contribution`, when known. */
  isolation: number | null
}

export interface ExplanationView {
  /** 'score': additive score points (v2). 'model': an older row's raw tree units, raised only. */
  units: 'score' | 'model'
  /** Largest |contribution| first. */
  bars: ExplanationBar[]
  isolationShare: TIsolationShare | null
}

/** Reads any stored explanationData; null when it holds no contributions (or is not an object). */
export function parseExplanationData(data: unknown): ExplanationView | null {
  const v2 = ZExplanationDataV2.safeParse(data)
  if (v2.success) {
    const bars = [...v2.data.raisedBy, ...v2.data.loweredBy]
      .map(({ feature, label, text, contribution, isolation }) => ({ feature, label, text, contribution, isolation }))
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    return { units: 'score', bars, isolationShare: v2.data.isolationShare }
  }
  const legacy = ZLegacyExplanationData.safeParse(data)
  if (!legacy.success || legacy.data.topFeatures.length === 0) return null
  const bars = legacy.data.topFeatures.map(({ feature, value, contribution, text }): ExplanationBar => {
    const words = knownWords(feature)
    // Old texts could read `acct history count 38.00`: say it again in today's words.
    const phrase = words && value !== undefined ? words.phrase(value, null, moneyFormatter()) : (text ?? feature)
    return { feature, label: words?.label ?? feature.replaceAll('_', ' '), text: phrase, contribution, isolation: null }
  })
  return { units: 'model', bars, isolationShare: null }
}

function knownWords(feature: string): (typeof FEATURE_WORDS)[FeatureName] | null {
  return Object.hasOwn(FEATURE_WORDS, feature) ? FEATURE_WORDS[feature as FeatureName] : null
}
