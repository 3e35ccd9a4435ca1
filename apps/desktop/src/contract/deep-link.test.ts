import { describe, expect, it } from 'vitest'
import { anomalyIdFromDeepLink, anomalyIdFromHash, deepLinkInArgv } from './deep-link.ts'

const UUID = '3f1c2a90-1b2c-4d5e-8f90-aa11bb22cc33'

describe('anomalyze:// deep links', () => {
  it('reads the anomaly id from the links alert e-mails carry', () => {
    expect(anomalyIdFromDeepLink(`anomalyze://anomaly/${UUID}`)).toBe(UUID)
    expect(anomalyIdFromDeepLink(`anomalyze://anomalies/${UUID}`)).toBe(UUID)
    expect(anomalyIdFromDeepLink(`anomalyze://anomaly/${UUID}/`)).toBe(UUID)
    expect(anomalyIdFromDeepLink(`ANOMALYZE://Anomaly/${UUID}`)).toBe(UUID)
    expect(anomalyIdFromDeepLink('anomalyze://anomaly/local_abc-1')).toBe('local_abc-1')
    // encodeURIComponent of a valid id is the id itself; an encoded one decodes the same.
    expect(anomalyIdFromDeepLink('anomalyze://anomaly/abc%2Ddef')).toBe('abc-def')
  })

  it('refuses other hosts, schemes and shapes', () => {
    for (const link of [
      `anomalyze://settings/${UUID}`,
      `anomalyze://evil.example/anomaly/${UUID}`,
      `https://anomaly/${UUID}`,
      `file:///anomaly/${UUID}`,
      `anomalyze:anomaly/${UUID}`,
      `anomalyze://anomaly/`,
      `anomalyze://anomaly`,
      `anomalyze://anomaly/${UUID}/extra`,
      `anomalyze://user:pw@anomaly/${UUID}`,
      `anomalyze://anomaly:8080/${UUID}`,
      'anomalyze://anomaly/..%2F..%2Fetc',
      'anomalyze://anomaly/has%20space',
      'anomalyze://anomaly/%E0%A4%A',
      `anomalyze://anomaly/${'a'.repeat(101)}`,
      'not a url',
      '',
    ]) {
      expect(anomalyIdFromDeepLink(link), link).toBeNull()
    }
  })

  it("reads the browser console's #/anomalies/<id>", () => {
    expect(anomalyIdFromHash(`#/anomalies/${UUID}`)).toBe(UUID)
    expect(anomalyIdFromHash(`#/anomaly/${UUID}`)).toBe(UUID)
    expect(anomalyIdFromHash(`/anomalies/${UUID}`)).toBe(UUID)
    expect(anomalyIdFromHash('')).toBeNull()
    expect(anomalyIdFromHash('#/queue')).toBeNull()
    expect(anomalyIdFromHash(`#/anomalies/${UUID}/x`)).toBeNull()
    expect(anomalyIdFromHash('#/anomalies/<script>')).toBeNull()
  })

  it('finds the link among process arguments (Windows, Linux) and ignores everything else', () => {
    expect(deepLinkInArgv(['/opt/Anomalyze/anomalyze', '--no-sandbox', `anomalyze://anomaly/${UUID}`])).toBe(`anomalyze://anomaly/${UUID}`)
    expect(deepLinkInArgv(['C:\\Anomalyze\\Anomalyze.exe', '--allow-file-access-from-files', 'anomalyze://settings/x'])).toBeNull()
    expect(deepLinkInArgv(['/opt/Anomalyze/anomalyze'])).toBeNull()
  })
})
