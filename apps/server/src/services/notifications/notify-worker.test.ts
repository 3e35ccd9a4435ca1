import { describe, expect, it } from 'vitest'
import { mergeNotifyJobs } from './notify-worker.ts'

const job = (id: string, orgId: string, anomalyIds: string[], retryCount = 0) => ({ id, data: { orgId, anomalyIds }, retryCount, retryLimit: 4 })

describe('mergeNotifyJobs', () => {
  it('folds one user’s jobs into one delivery that claims as the first job', () => {
    const merged = mergeNotifyJobs([job('j1', 'u1', ['a1', 'a2']), job('j2', 'u2', ['b1']), job('j3', 'u1', ['a3'])])
    expect(merged).toEqual([
      { delivery: { jobId: 'j1', mergedJobIds: ['j3'], orgId: 'u1', anomalyIds: ['a1', 'a2', 'a3'], finalAttempt: false }, jobIds: ['j1', 'j3'] },
      { delivery: { jobId: 'j2', mergedJobIds: [], orgId: 'u2', anomalyIds: ['b1'], finalAttempt: false }, jobIds: ['j2'] },
    ])
  })

  it('keeps jobs on their last attempt apart, so only their rows can turn FAILED', () => {
    const merged = mergeNotifyJobs([job('j1', 'u1', ['a1'], 4), job('j2', 'u1', ['a2']), job('j3', 'u1', ['a3'], 4)])
    expect(merged.map((m) => [m.delivery.finalAttempt, m.jobIds, m.delivery.anomalyIds])).toEqual([
      [true, ['j1', 'j3'], ['a1', 'a3']],
      [false, ['j2'], ['a2']],
    ])
  })

  it('does not change the jobs it was given', () => {
    const jobs = [job('j1', 'u1', ['a1']), job('j2', 'u1', ['a2'])]
    mergeNotifyJobs(jobs)
    expect(jobs[0]?.data.anomalyIds).toEqual(['a1'])
  })
})
