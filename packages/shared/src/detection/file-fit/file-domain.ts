import type { MappableField } from '../column-mapping.ts'
import { FEATURE_WORDS } from '../feature-labels.ts'
import { columnAt, sampleRowIndices, type FeatureDistribution, type FeatureProfile } from './feature-profile.ts'
import { populationStability, PSI_SHIFTED, PSI_UNLIKE, samplingNoise } from './population-stability.ts'

/**
 * Is a file like the data a model was trained on? Compared feature by feature with the
 * model's training profile before anyone triages its alerts: a model scoring a
 * population it never saw ranks no better than chance, and says nothing about it.
 *
 * Verdict (thresholds in population-stability.ts):
 * - 'unlike' when a field the features need is not mapped (no merchant column, no
 *   time), or half or more of the compared features are unlike training (PSI above
 *   0.25, or constant in the file where training varied);
 * - 'shifted' when any feature is unlike, or a quarter or more have shifted (PSI above 0.1);
 * Half, not a quarter: history counts follow a file's volume and length, so even the
 * handbook's own data (the default model's home ground) has 6 of 22 features unlike
 * the generated training data; PaySim has all 22.
 * - 'similar' otherwise.
 */
export type DomainVerdict = 'similar' | 'shifted' | 'unlike'

export interface FeatureDomainCheck {
  feature: string
  /** The feature in an analyst's words: featureLabels, else FEATURE_WORDS, else its name with spaces. */
  label: string
  /**
   * Population stability index against training beyond what the file's size alone
   * would give by chance (samplingNoise); null when the feature is missing.
   */
  psi: number | null
  /** Computed from a field the file does not have: its value means nothing here. */
  missing: boolean
  /** One value throughout the file (where training had several). */
  constant: boolean
  /** Counted towards the verdict (feedback features are not: see FEEDBACK_FEATURES). */
  counted: boolean
  /** What is wrong, in a few words; '' when nothing is. */
  note: string
}

export interface FileDomainCheck {
  verdict: DomainVerdict
  /** Worst first: missing, then constant, then by PSI. */
  features: FeatureDomainCheck[]
  /** One sentence naming the worst features. */
  summary: string
  /** Fields the features need that the file's mapping lacks. */
  missingFields: MappableField[]
  /** File rows compared (a sample of big files). */
  rows: number
}

export interface DomainCheckOptions {
  /** Feature name -> words an analyst reads. */
  featureLabels?: Readonly<Record<string, string>>
  /** The fields the file's column mapping has; without it no feature counts as missing. */
  mappedFields?: readonly MappableField[]
}

/**
 * The fields each engine feature is computed from (beyond the amount). The time
 * features need a timestamp (PaySim's hours count as one); merchant features a payee.
 */
const FEATURE_SOURCES: Readonly<Record<string, readonly MappableField[]>> = {
  hour_of_day: ['timestamp'],
  is_weekend: ['timestamp'],
  is_night: ['timestamp'],
  acct_hours_since_last: ['timestamp'],
  acct_new_merchant: ['merchantId'],
  acct_distinct_merchants: ['merchantId'],
  merch_count_1d: ['merchantId'],
  merch_count_7d: ['merchantId'],
  merch_count_30d: ['merchantId'],
  merch_amount_ratio: ['merchantId'],
}

/**
 * Features that learn from confirmed frauds fed back over time. A file scored on a
 * device has no such history, so they are constant there whatever the file: reported,
 * but not held against the file.
 */
const FEEDBACK_FEATURES: ReadonlySet<string> = new Set([
  'acct_known_fraud_30d',
  'merch_risk_1d',
  'merch_risk_7d',
  'merch_risk_30d',
  'merch_known_fraud_30d',
  'merch_risk_exact_1d',
  'merch_risk_exact_7d',
  'merch_risk_exact_30d',
  'merch_hours_since_fraud',
])

const FIELD_WORDS: Partial<Record<MappableField, string>> = { timestamp: 'time', merchantId: 'merchant', accountId: 'account' }

/**
 * Compares `fileRows` (row-major, `width` columns in the profile's order) with the
 * training profile. Pure; big files are sampled (PROFILE_SAMPLE_ROWS rows, evenly spread).
 */
export function checkFileDomain(profile: FeatureProfile, fileRows: Float32Array, width: number, options: DomainCheckOptions = {}): FileDomainCheck {
  if (profile.features.length !== width) {
    throw new Error(`checkFileDomain: the training profile has ${profile.features.length} features, the file's rows ${width}`)
  }
  const count = Math.floor(fileRows.length / width)
  if (count === 0) throw new Error('checkFileDomain: the file has no rows to compare')
  const mapped = options.mappedFields ? new Set<MappableField>(options.mappedFields.map((f) => (f === 'timestampHours' ? 'timestamp' : f))) : null
  const missingFields = new Set<MappableField>()
  const indices = sampleRowIndices(count)
  const features = profile.features.map((training, f): FeatureDomainCheck => {
    const label = options.featureLabels?.[training.name] ?? wordsFor(training.name)
    const counted = !FEEDBACK_FEATURES.has(training.name)
    const absent = (FEATURE_SOURCES[training.name] ?? []).filter((field) => mapped !== null && !mapped.has(field))
    if (absent.length > 0) {
      for (const field of absent) missingFields.add(field)
      const words = absent.map((field) => FIELD_WORDS[field] ?? field).join(' and ')
      return { feature: training.name, label, psi: null, missing: true, constant: false, counted, note: `no ${words} column` }
    }
    const values = columnAt(fileRows, width, f, indices)
    return { feature: training.name, label, counted, missing: false, ...compare(training, values) }
  })
  features.sort(worstFirst)
  const verdict = verdictOf(features, missingFields.size > 0)
  return {
    verdict,
    features,
    summary: summarise(verdict, features, [...missingFields], indices.length),
    missingFields: [...missingFields],
    rows: indices.length,
  }
}

function wordsFor(name: string): string {
  return Object.hasOwn(FEATURE_WORDS, name) ? FEATURE_WORDS[name as keyof typeof FEATURE_WORDS].label : name.replace(/_/g, ' ')
}

function compare(training: FeatureDistribution, values: Float64Array): { psi: number; constant: boolean; note: string } {
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    if (v < min) min = v
    if (v > max) max = v
  }
  // Fewer than MIN_ROWS_FOR_CONSTANT rows may repeat one value by chance.
  const constant = values.length >= MIN_ROWS_FOR_CONSTANT && min === max
  const measured = populationStability(training, values)
  // What is left once the file's own sampling noise is taken out (see samplingNoise).
  const psi = Math.max(0, measured - samplingNoise(training.shares.length, values.length))
  if (constant && !training.constant)
    return { psi, constant, note: `always ${format(min)} here; ${format(training.min)} to ${format(training.max)} in training` }
  if (training.constant && !(values.length > 0 && min === max && min === training.min))
    return { psi: Math.max(psi, PSI_UNLIKE + 1), constant, note: `always ${format(training.min)} in training, not here` }
  if (psi > PSI_UNLIKE) return { psi, constant, note: `distribution far from training (PSI ${psi.toFixed(2)})` }
  if (psi > PSI_SHIFTED) return { psi, constant, note: `distribution shifted from training (PSI ${psi.toFixed(2)})` }
  return { psi, constant, note: '' }
}

/** Below this many rows a column with one value may be chance, not a constant. */
const MIN_ROWS_FOR_CONSTANT = 20

const isUnlike = (f: FeatureDomainCheck): boolean => f.missing || (f.psi ?? 0) > PSI_UNLIKE || (f.constant && f.note !== '')
const isShifted = (f: FeatureDomainCheck): boolean => isUnlike(f) || (f.psi ?? 0) > PSI_SHIFTED

function verdictOf(features: readonly FeatureDomainCheck[], fieldsMissing: boolean): DomainVerdict {
  const counted = features.filter((f) => f.counted)
  const quarter = Math.max(1, Math.ceil(counted.length / 4))
  const half = Math.max(1, Math.ceil(counted.length / 2))
  const unlike = counted.filter(isUnlike).length
  if (fieldsMissing || unlike >= half) return 'unlike'
  if (unlike > 0 || counted.filter(isShifted).length >= quarter) return 'shifted'
  return 'similar'
}

function rank(f: FeatureDomainCheck): number {
  if (!f.counted) return -1
  if (f.missing) return 1e9
  if (f.constant && f.note !== '') return 1e8
  return f.psi ?? 0
}

function worstFirst(a: FeatureDomainCheck, b: FeatureDomainCheck): number {
  return rank(b) - rank(a)
}

/** Below this many rows only large differences from training can be told from chance. */
const FEW_ROWS = 200

function summarise(verdict: DomainVerdict, features: readonly FeatureDomainCheck[], missingFields: readonly MappableField[], rows: number): string {
  const counted = features.filter((f) => f.counted)
  const bad = counted.filter(isShifted)
  if (verdict === 'similar' && rows < FEW_ROWS)
    return `This file has only ${rows} rows: none of its ${counted.length} features is far from training, but a file this short can only show large differences.`
  if (verdict === 'similar') return `This file looks like the model's training data (${counted.length} features compared, none far from training).`
  const worst = bad
    .slice(0, 3)
    .map((f) => `${f.label} (${f.missing ? f.note : f.constant && f.note !== '' ? f.note : `PSI ${(f.psi ?? 0).toFixed(2)}`})`)
    .join(', ')
  const missing = missingFields.length > 0 ? `; no ${missingFields.map((f) => FIELD_WORDS[f] ?? f).join(' or ')} column` : ''
  const head = verdict === 'unlike' ? "This file looks unlike the model's training data" : "This file has shifted from the model's training data"
  const advice = verdict === 'unlike' ? 'its scores may rank no better than chance' : 'read its scores with care'
  return `${head}: ${bad.length} of ${counted.length} features differ, the worst ${worst}${missing}; ${advice}.`
}

function format(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toFixed(2)).toString()
}
