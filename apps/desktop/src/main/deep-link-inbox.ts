import { targetFromDeepLink, type DeepLinkTarget } from '../contract/deep-link.ts'

/** Hands a link's target (an anomaly or a case) to the renderer; false when it cannot (window gone). */
export type DeepLinkSender = (target: DeepLinkTarget) => boolean

/**
 * Between the OS and the renderer: a link can arrive before the window has loaded
 * (cold start from a clicked e-mail link, macOS `open-url` before `ready`), so the
 * last one waits here until the renderer says it listens. Electron-free, so testable.
 */
export class DeepLinkInbox {
  private pending: DeepLinkTarget | null = null
  private send: DeepLinkSender | null = null

  /** A link from the OS: the target it names, or null (refused) for anything else. */
  receive(link: string): DeepLinkTarget | null {
    const target = targetFromDeepLink(link)
    if (target === null) return null
    if (this.send === null || !this.send(target)) this.pending = target
    return target
  }

  /** The renderer listens now (also after a reload): returns the target that waited, if any. */
  attach(send: DeepLinkSender): DeepLinkTarget | null {
    this.send = send
    const waiting = this.pending
    this.pending = null
    return waiting
  }
}
