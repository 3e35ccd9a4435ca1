import { anomalyIdFromDeepLink } from '../contract/deep-link.ts'

/** Hands an anomaly id to the renderer; false when it cannot (window gone). */
export type DeepLinkSender = (anomalyId: string) => boolean

/**
 * Between the OS and the renderer: a link can arrive before the window has loaded
 * (cold start from a clicked e-mail link, macOS `open-url` before `ready`), so the
 * last one waits here until the renderer says it listens. Electron-free, so testable.
 */
export class DeepLinkInbox {
  private pending: string | null = null
  private send: DeepLinkSender | null = null

  /** A link from the OS: the anomaly id it names, or null (refused) for anything else. */
  receive(link: string): string | null {
    const id = anomalyIdFromDeepLink(link)
    if (id === null) return null
    if (this.send === null || !this.send(id)) this.pending = id
    return id
  }

  /** The renderer listens now (also after a reload): returns the id that waited, if any. */
  attach(send: DeepLinkSender): string | null {
    this.send = send
    const waiting = this.pending
    this.pending = null
    return waiting
  }
}
