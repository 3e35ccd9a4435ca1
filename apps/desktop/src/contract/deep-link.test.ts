import { describe, expect, it } from 'vitest'
import { asDeepLinkTarget, deepLinkInArgv, targetFromDeepLink, targetFromHash } from './deep-link.ts'

const UUID = '3f1c2a90-1b2c-4d5e-8f90-aa11bb22cc33'
const CASE = 'c7d2e1f0-5a6b-4c3d-9e8f-001122334455'
const anomaly = (id: string) => ({ kind: 'anomaly', id })
const kase = (id: string) => ({ kind: 'case', id })

describe('anomalyze:// deep links', () => {
  it('reads the anomaly id from the links alert e-mails carry', () => {
    expect(targetFromDeepLink(`anomalyze://anomaly/${UUID}`)).toEqual(anomaly(UUID))
    expect(targetFromDeepLink(`anomalyze://anomalies/${UUID}`)).toEqual(anomaly(UUID))
    expect(targetFromDeepLink(`anomalyze://anomaly/${UUID}/`)).toEqual(anomaly(UUID))
    expect(targetFromDeepLink(`ANOMALYZE://Anomaly/${UUID}`)).toEqual(anomaly(UUID))
    expect(targetFromDeepLink('anomalyze://anomaly/local_abc-1')).toEqual(anomaly('local_abc-1'))
    // encodeURIComponent of a valid id is the id itself; an encoded one decodes the same.
    expect(targetFromDeepLink('anomalyze://anomaly/abc%2Ddef')).toEqual(anomaly('abc-def'))
  })

  it('reads the case id from the links case notices carry', () => {
    expect(targetFromDeepLink(`anomalyze://case/${CASE}`)).toEqual(kase(CASE))
    expect(targetFromDeepLink(`anomalyze://cases/${CASE}`)).toEqual(kase(CASE))
    expect(targetFromDeepLink(`anomalyze://case/${CASE}/`)).toEqual(kase(CASE))
    expect(targetFromDeepLink(`Anomalyze://CASE/${CASE}`)).toEqual(kase(CASE))
    // The same id names a case or an anomaly by the host alone.
    expect(targetFromDeepLink(`anomalyze://case/${UUID}`)).toEqual(kase(UUID))
  })

  it('refuses other hosts, schemes and shapes', () => {
    for (const link of [
      `anomalyze://settings/${UUID}`,
      `anomalyze://evil.example/anomaly/${UUID}`,
      `anomalyze://evil.example/case/${UUID}`,
      `anomalyze://casework/${UUID}`,
      `https://anomaly/${UUID}`,
      `https://case/${UUID}`,
      `file:///anomaly/${UUID}`,
      `anomalyze:anomaly/${UUID}`,
      `anomalyze:case/${UUID}`,
      `anomalyze://anomaly/`,
      `anomalyze://anomaly`,
      `anomalyze://case/`,
      `anomalyze://case`,
      `anomalyze://anomaly/${UUID}/extra`,
      `anomalyze://case/${CASE}/events`,
      `anomalyze://user:pw@anomaly/${UUID}`,
      `anomalyze://user@case/${CASE}`,
      `anomalyze://anomaly:8080/${UUID}`,
      `anomalyze://case:8080/${CASE}`,
      'anomalyze://anomaly/..%2F..%2Fetc',
      'anomalyze://case/..%2F..%2Fetc',
      'anomalyze://anomaly/has%20space',
      'anomalyze://case/%3Cscript%3E',
      'anomalyze://anomaly/%E0%A4%A',
      `anomalyze://anomaly/${'a'.repeat(101)}`,
      `anomalyze://case/${'a'.repeat(101)}`,
      `anomalyze://case/${'a'.repeat(3_000)}`,
      'not a url',
      '',
    ]) {
      expect(targetFromDeepLink(link), link).toBeNull()
    }
  })

  it("reads the browser console's #/anomalies/<id> and #/cases/<id>", () => {
    expect(targetFromHash(`#/anomalies/${UUID}`)).toEqual(anomaly(UUID))
    expect(targetFromHash(`#/anomaly/${UUID}`)).toEqual(anomaly(UUID))
    expect(targetFromHash(`/anomalies/${UUID}`)).toEqual(anomaly(UUID))
    expect(targetFromHash(`#/cases/${CASE}`)).toEqual(kase(CASE))
    expect(targetFromHash(`#/case/${CASE}/`)).toEqual(kase(CASE))
    expect(targetFromHash(`/cases/${CASE}`)).toEqual(kase(CASE))
    expect(targetFromHash('')).toBeNull()
    expect(targetFromHash('#/queue')).toBeNull()
    expect(targetFromHash('#/cases')).toBeNull()
    expect(targetFromHash(`#/settings/${UUID}`)).toBeNull()
    expect(targetFromHash(`#/anomalies/${UUID}/x`)).toBeNull()
    expect(targetFromHash(`#/cases/${CASE}/x`)).toBeNull()
    expect(targetFromHash('#/anomalies/<script>')).toBeNull()
    expect(targetFromHash('#/cases/<script>')).toBeNull()
  })

  it('takes a target handed across processes only in its known shape', () => {
    expect(asDeepLinkTarget({ kind: 'case', id: CASE })).toEqual(kase(CASE))
    expect(asDeepLinkTarget({ kind: 'anomaly', id: UUID })).toEqual(anomaly(UUID))
    for (const value of [
      null,
      UUID,
      { kind: 'settings', id: UUID },
      { kind: 'case' },
      { kind: 'case', id: 42 },
      { kind: 'case', id: '../etc' },
      { kind: 'anomaly', id: '' },
    ]) {
      expect(asDeepLinkTarget(value), JSON.stringify(value)).toBeNull()
    }
  })

  it('finds the link among process arguments (Windows, Linux) and ignores everything else', () => {
    expect(deepLinkInArgv(['/opt/Anomalyze/anomalyze', '--no-sandbox', `anomalyze://anomaly/${UUID}`])).toBe(`anomalyze://anomaly/${UUID}`)
    expect(deepLinkInArgv(['/opt/Anomalyze/anomalyze', '--no-sandbox', `anomalyze://case/${CASE}`])).toBe(`anomalyze://case/${CASE}`)
    expect(deepLinkInArgv(['C:\\Anomalyze\\Anomalyze.exe', '--allow-file-access-from-files', 'anomalyze://settings/x'])).toBeNull()
    expect(deepLinkInArgv(['/opt/Anomalyze/anomalyze'])).toBeNull()
  })
})
