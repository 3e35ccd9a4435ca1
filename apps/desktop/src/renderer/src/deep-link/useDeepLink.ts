import { useEffect, useRef, useState } from 'react'
import { targetFromHash, type DeepLinkTarget } from '../../../contract/deep-link.ts'
import type { AnomalyDetail } from '../../../contract/queue.ts'
import { bridge, callCore, CoreCallError } from '../api/core-client.ts'

/**
 * What a link asked for, found in the local cache: an anomaly (the queue opens it) or a
 * case (the Cases view opens it); `nonce` tells two clicks on one link apart.
 */
export type DeepLinkOpen = { kind: 'anomaly'; anomaly: AnomalyDetail; nonce: number } | { kind: 'case'; caseId: string; nonce: number }

/** How the messages name each kind, and what sent its links. */
const WORDS: Record<DeepLinkTarget['kind'], { noun: string; sender: string }> = {
  anomaly: { noun: 'anomaly', sender: "sync with the server that sent the alert (signed in as the alert's recipient)" },
  case: { noun: 'case', sender: 'sync with the server that sent the case notice (signed in as its recipient)' },
}

/** Looks the target up in the local cache (NOT_FOUND when it is not there). */
async function find(target: DeepLinkTarget, nonce: number): Promise<DeepLinkOpen> {
  if (target.kind === 'case') {
    // The case itself, not just its id: a link to a case not cached says so here.
    const detail = await callCore('cases.get', { id: target.id })
    return { kind: 'case', caseId: detail.case.id, nonce }
  }
  return { kind: 'anomaly', anomaly: await callCore('anomaly.get', { id: target.id }), nonce }
}

/** The message for a link that could not be opened. */
function deepLinkFailure(target: DeepLinkTarget, error: unknown): string {
  const { noun, sender } = WORDS[target.kind]
  if (error instanceof CoreCallError && error.code === 'NOT_FOUND')
    return `The linked ${noun} ${target.id} is not in this console's cache. To open it, ${sender}, then open the link again.`
  return `Could not open the linked ${noun} ${target.id}: ${error instanceof Error ? error.message : String(error)}`
}

/**
 * Links to anomalies (alert e-mails) and cases (case notices), wherever they come from:
 * Electron hands over targets from anomalyze:// links the OS opened (preload
 * `onDeepLink`); the browser console reads `#/anomalies/<id>` and `#/cases/<id>` from
 * its address (on load and on every change, then clears it so the same link works
 * twice). The target is looked up in the local cache: found, it goes to `onOpen`; not
 * found, a message says why and what to do.
 */
export function useDeepLink(onOpen: (found: DeepLinkOpen) => void): { message: string | null; dismiss: () => void } {
  const [message, setMessage] = useState<string | null>(null)
  const latest = useRef(onOpen)
  latest.current = onOpen

  useEffect(() => {
    let nonce = 0
    let live = true
    const open = async (target: DeepLinkTarget): Promise<void> => {
      nonce += 1
      const mine = nonce
      try {
        const found = await find(target, mine)
        // A later link won: this answer is stale.
        if (!live || mine !== nonce) return
        setMessage(null)
        latest.current(found)
      } catch (error) {
        if (!live || mine !== nonce) return
        setMessage(deepLinkFailure(target, error))
      }
    }
    const fromHash = (): void => {
      const target = targetFromHash(window.location.hash)
      if (target === null) return
      // Clear the address so that opening the same link again is a change too.
      history.replaceState(null, '', `${window.location.pathname}${window.location.search}`)
      void open(target)
    }
    fromHash()
    window.addEventListener('hashchange', fromHash)
    const unsubscribe = bridge.onDeepLink?.((target) => void open(target))
    return () => {
      live = false
      window.removeEventListener('hashchange', fromHash)
      unsubscribe?.()
    }
  }, [])

  return { message, dismiss: () => setMessage(null) }
}
