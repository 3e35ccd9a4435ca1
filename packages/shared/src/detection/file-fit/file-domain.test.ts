import { describe, expect, it } from 'vitest'
import { createRandom } from '../../random.ts'
import type { MappableField } from '../column-mapping.ts'
import { FEATURE_NAMES } from '../features/compute-features.ts'
import { profileFeatures } from './feature-profile.ts'
import { checkFileDomain } from './file-domain.ts'
import { populationStability, PSI_SHIFTED, PSI_UNLIKE, samplingNoise } from './population-stability.ts'

/** `count` rows of `width` columns, column c drawn from normal(c + shift, 1). */
function normalRows(count: number, width: number, seed: number, shift = 0): Float32Array {
  const random = createRandom(seed)
  const rows = new Float32Array(count * width)
  for (let i = 0; i < rows.length; i += 1) rows[i] = random.normal((i % width) + shift, 1)
  return rows
}

const column = (rows: Float32Array, width: number, c: number): Float64Array =>
  Float64Array.from({ length: rows.length / width }, (_, i) => rows[i * width + c] as number)

describe('profileFeatures and population stability', () => {
  it('profiles deciles: ten bins with a tenth of the rows each, names kept', () => {
    const profile = profileFeatures(normalRows(5_000, 2, 1), 2, ['a', 'b'])
    expect(profile.rows).toBe(5_000)
    expect(profile.features.map((f) => f.name)).toEqual(['a', 'b'])
    const [a] = profile.features
    expect(a?.edges).toHaveLength(9)
    for (const share of a?.shares ?? []) expect(share).toBeCloseTo(0.1, 2)
    expect(a?.constant).toBe(false)
  })

  it('keeps ties together: a mostly-zero feature has few bins and its zero share', () => {
    const rows = Float32Array.from({ length: 1_000 }, (_, i) => (i % 10 === 0 ? i + 1 : 0))
    const [f] = profileFeatures(rows, 1).features
    expect(f?.zeroShare).toBeCloseTo(0.9, 5)
    expect(f?.edges[0]).toBe(0)
    expect(f?.shares[0]).toBeCloseTo(0.9, 5)
  })

  it('gives about 0 for a sample of the same population and more than 0.25 for a shifted one', () => {
    const training = profileFeatures(normalRows(20_000, 1, 1), 1).features[0]
    if (!training) throw new Error('no profile')
    const same = populationStability(training, column(normalRows(20_000, 1, 2), 1, 0))
    const shifted = populationStability(training, column(normalRows(20_000, 1, 3, 1), 1, 0))
    expect(same).toBeLessThan(0.01)
    expect(shifted).toBeGreaterThan(PSI_UNLIKE)
    const slightly = populationStability(training, column(normalRows(20_000, 1, 4, 0.3), 1, 0))
    expect(slightly).toBeGreaterThan(same)
    expect(slightly).toBeLessThan(shifted)
  })

  it('refuses a bad width or a name list of another length', () => {
    expect(() => profileFeatures(new Float32Array(4), 0)).toThrow(/width/)
    expect(() => profileFeatures(new Float32Array(4), 2, ['a'])).toThrow(/1 names for 2 columns/)
  })
})

describe('checkFileDomain', () => {
  const width = FEATURE_NAMES.length
  const profile = profileFeatures(normalRows(5_000, width, 1), width, FEATURE_NAMES)
  const ALL_FIELDS: MappableField[] = ['txId', 'timestamp', 'amount', 'accountId', 'merchantId']

  it('calls a file from the same population similar', () => {
    const check = checkFileDomain(profile, normalRows(5_000, width, 7), width, { mappedFields: ALL_FIELDS })
    expect(check.verdict).toBe('similar')
    expect(check.missingFields).toEqual([])
    expect(check.features.every((f) => (f.psi ?? 1) < PSI_SHIFTED)).toBe(true)
    expect(check.summary).toMatch(/looks like the model's training data/)
  })

  it('calls a shifted file unlike, names the worst features and their PSI', () => {
    const check = checkFileDomain(profile, normalRows(5_000, width, 7, 2), width, { featureLabels: { amount: 'the amount' } })
    expect(check.verdict).toBe('unlike')
    const amount = check.features.find((f) => f.feature === 'amount')
    expect(amount?.psi).toBeGreaterThan(PSI_UNLIKE)
    expect(amount?.label).toBe('the amount')
    expect(check.summary).toMatch(/unlike the model's training data: 22 of 22 features differ/)
    expect(check.summary).toMatch(/PSI \d+\.\d\d/)
  })

  it('calls a file with under half its features unlike shifted, not unlike (history counts follow volume)', () => {
    const rows = normalRows(2_000, width, 7)
    for (let i = 0; i < rows.length; i += width) for (let c = 0; c < 7; c += 1) rows[i + c] = (rows[i + c] as number) + 3
    const check = checkFileDomain(profile, rows, width)
    expect(check.features.filter((f) => (f.psi ?? 0) > PSI_UNLIKE)).toHaveLength(7)
    expect(check.verdict).toBe('shifted')
    expect(check.summary).toMatch(/has shifted from .*: 7 of 22 features differ.*read its scores with care\.$/)
  })

  it('reports a feature that is constant in the file but varied in training', () => {
    const rows = normalRows(2_000, width, 7)
    for (let i = 0; i < 2_000; i += 1) rows[i * width + 1] = 5 // hour_of_day
    const check = checkFileDomain(profile, rows, width)
    const hour = check.features.find((f) => f.feature === 'hour_of_day')
    expect(hour?.constant).toBe(true)
    expect(hour?.note).toMatch(/^always 5 here; .* in training$/)
    expect(check.features[0]?.feature).toBe('hour_of_day')
    expect(check.verdict).toBe('shifted')
  })

  it('marks features from an unmapped field missing: no merchant column, no time', () => {
    const check = checkFileDomain(profile, normalRows(2_000, width, 7), width, { mappedFields: ['amount', 'accountId'] })
    expect(check.verdict).toBe('unlike')
    expect(check.missingFields.sort()).toEqual(['merchantId', 'timestamp'])
    const merchant = check.features.find((f) => f.feature === 'merch_count_7d')
    expect(merchant).toMatchObject({ missing: true, psi: null, note: 'no merchant column' })
    expect(check.features.find((f) => f.feature === 'hour_of_day')?.note).toBe('no time column')
    expect(check.summary).toMatch(/no time or merchant column|no merchant or time column/)
    // PaySim's hours are a time.
    const hours = checkFileDomain(profile, normalRows(2_000, width, 7), width, { mappedFields: ['amount', 'accountId', 'merchantId', 'timestampHours'] })
    expect(hours.missingFields).toEqual([])
  })

  it('does not hold feedback features against a file (no confirmed frauds on a device)', () => {
    const rows = normalRows(2_000, width, 7)
    const risk = FEATURE_NAMES.indexOf('merch_risk_7d')
    for (let i = 0; i < 2_000; i += 1) rows[i * width + risk] = 0
    const check = checkFileDomain(profile, rows, width)
    expect(check.features.find((f) => f.feature === 'merch_risk_7d')?.counted).toBe(false)
    expect(check.verdict).toBe('similar')
  })

  it('refuses rows of another width and an empty file', () => {
    expect(() => checkFileDomain(profile, new Float32Array(10), 5)).toThrow(/profile has 31 features, the file's rows 5/)
    expect(() => checkFileDomain(profile, new Float32Array(0), width)).toThrow(/no rows/)
  })

  it('does not call a short file shifted for being short, and still sees a large difference in it', () => {
    // PSI of 50 rows drawn from training itself reads ~0.2 by chance (was "shifted" 39
    // times in 40 before the sampling noise was taken out); a one-sigma shift is not chance.
    for (let seed = 0; seed < 20; seed += 1) {
      for (const rows of [20, 50, 100]) {
        expect(checkFileDomain(profile, normalRows(rows, width, 100 + seed), width).verdict).toBe('similar')
      }
      expect(checkFileDomain(profile, normalRows(50, width, 300 + seed, 1), width).verdict).toBe('unlike')
    }
    const short = checkFileDomain(profile, normalRows(40, width, 7), width)
    expect(short.summary).toMatch(/only 40 rows.*can only show large differences/)
  })

  it('keeps the noise allowance small for big files: a 0.5-sigma shift over 5,000 rows is seen', () => {
    expect(samplingNoise(10, 100)).toBeGreaterThan(0.2)
    expect(samplingNoise(10, 100_000)).toBeLessThan(0.0003)
    expect(checkFileDomain(profile, normalRows(5_000, width, 9, 0.5), width).verdict).not.toBe('similar')
  })
})
