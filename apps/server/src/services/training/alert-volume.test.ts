import { describe, expect, it } from 'vitest'
import { alertsPerDay, compareAlertVolume, daysSpanned } from './alert-volume.ts'

describe('alert volume against the current model', () => {
  it('warns when the candidate raises more than 20% more alerts a day, naming the change and the budget', () => {
    const volume = compareAlertVolume(100, 125, 200)
    expect(volume.changeRatio).toBeCloseTo(1.25, 12)
    expect(volume.warning).toBe("This version would raise 125 alerts a day against 100 now (+25%), within the team's budget of 200 a day.")
    expect(compareAlertVolume(100, 250, 200).warning).toMatch(/\(\+150%\), over the team's budget of 200 a day\.$/)
  })

  it('does not warn at +10%, at exactly +20%, or when the volume falls', () => {
    expect(compareAlertVolume(100, 110, 200).warning).toBeNull()
    expect(compareAlertVolume(100, 120, 200).warning).toBeNull()
    expect(compareAlertVolume(100, 60, 200).warning).toBeNull()
  })

  it('warns when the current model raises no alerts and the candidate does, and not when neither does', () => {
    const fromNone = compareAlertVolume(0, 3, 200)
    expect(fromNone.changeRatio).toBeNull()
    expect(fromNone.warning).toMatch(/3 alerts a day against 0 now \(none now\)/)
    expect(compareAlertVolume(0, 0, 200).warning).toBeNull()
  })

  it('counts alerts at or above the threshold per distinct UTC day', () => {
    const day = 86_400_000
    // Two timestamps on day 0 and one on day 2: 2 distinct days.
    const days = daysSpanned([0, day - 1, 2 * day + 5])
    expect(days).toBe(2)
    expect(alertsPerDay([0.9, 0.5, 0.49, 0.7], 0.5, days)).toBe(1.5)
    expect(daysSpanned([])).toBe(1)
  })
})
