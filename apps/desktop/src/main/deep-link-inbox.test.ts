import { describe, expect, it } from 'vitest'
import { DeepLinkInbox } from './deep-link-inbox.ts'

describe('deep link inbox', () => {
  it('keeps a link that arrives before the renderer listens, and hands it over once', () => {
    const inbox = new DeepLinkInbox()
    expect(inbox.receive('anomalyze://anomaly/a-1')).toBe('a-1')
    const sent: string[] = []
    expect(inbox.attach((id) => (sent.push(id), true))).toBe('a-1')
    expect(inbox.attach((id) => (sent.push(id), true))).toBeNull()
    expect(inbox.receive('anomalyze://anomaly/a-2')).toBe('a-2')
    expect(sent).toEqual(['a-2'])
  })

  it('refuses junk without disturbing a waiting link, and keeps a link the window could not take', () => {
    const inbox = new DeepLinkInbox()
    inbox.receive('anomalyze://anomaly/a-1')
    expect(inbox.receive('anomalyze://settings/a-2')).toBeNull()
    expect(inbox.receive('https://example.com/anomaly/a-3')).toBeNull()
    let open = false
    expect(inbox.attach(() => open)).toBe('a-1')
    // The window closed (macOS keeps the app running): the next link waits for a new one.
    expect(inbox.receive('anomalyze://anomalies/a-4')).toBe('a-4')
    open = true
    expect(inbox.attach(() => open)).toBe('a-4')
  })
})
