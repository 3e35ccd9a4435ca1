import { describe, expect, it } from 'vitest'
import type { DeepLinkTarget } from '../contract/deep-link.ts'
import { DeepLinkInbox } from './deep-link-inbox.ts'

const anomaly = (id: string): DeepLinkTarget => ({ kind: 'anomaly', id })
const kase = (id: string): DeepLinkTarget => ({ kind: 'case', id })

describe('deep link inbox', () => {
  it('keeps a link that arrives before the renderer listens, and hands it over once', () => {
    const inbox = new DeepLinkInbox()
    expect(inbox.receive('anomalyze://anomaly/a-1')).toEqual(anomaly('a-1'))
    const sent: DeepLinkTarget[] = []
    expect(inbox.attach((target) => (sent.push(target), true))).toEqual(anomaly('a-1'))
    expect(inbox.attach((target) => (sent.push(target), true))).toBeNull()
    expect(inbox.receive('anomalyze://anomaly/a-2')).toEqual(anomaly('a-2'))
    expect(inbox.receive('anomalyze://case/c-1')).toEqual(kase('c-1'))
    expect(sent).toEqual([anomaly('a-2'), kase('c-1')])
  })

  it('refuses junk without disturbing a waiting link, and keeps a link the window could not take', () => {
    const inbox = new DeepLinkInbox()
    inbox.receive('anomalyze://case/c-1')
    expect(inbox.receive('anomalyze://settings/a-2')).toBeNull()
    expect(inbox.receive('https://example.com/anomaly/a-3')).toBeNull()
    expect(inbox.receive('anomalyze://case/c-1/events')).toBeNull()
    let open = false
    expect(inbox.attach(() => open)).toEqual(kase('c-1'))
    // The window closed (macOS keeps the app running): the next link waits for a new one.
    expect(inbox.receive('anomalyze://anomalies/a-4')).toEqual(anomaly('a-4'))
    // Only the last link waits: the analyst clicked the case notice after the alert.
    expect(inbox.receive('anomalyze://cases/c-5')).toEqual(kase('c-5'))
    open = true
    expect(inbox.attach(() => open)).toEqual(kase('c-5'))
  })
})
