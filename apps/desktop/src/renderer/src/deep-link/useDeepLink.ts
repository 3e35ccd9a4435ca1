import { useEffect, useRef, useState } from 'react'
import { anomalyIdFromHash } from '../../../contract/deep-link.ts'
import type { AnomalyDetail } from '../../../contract/queue.ts'
import { bridge, callCore, CoreCallError } from '../api/core-client.ts'

/** The anomaly a link asked for, found in the local cache; `nonce` tells two clicks on one link apart. */
export interface DeepLinkTarget {
  anomaly: AnomalyDetail
  nonce: number
}

/**
 * Anomaly links, wherever they come from: Electron hands over ids from anomalyze://
 * links the OS opened (preload `onDeepLink`); the browser console reads
 * `#/anomalies/<id>` from its address (on load and on every change, then clears it so
 * the same link works twice). The id is looked up in the local cache: found, it
 * becomes the target the queue opens; not found, a message says why and what to do.
 */
export function useDeepLink(onTarget: (target: DeepLinkTarget) => void): { message: string | null; dismiss: () => void } {
  const [message, setMessage] = useState<string | null>(null)
  const latest = useRef(onTarget)
  latest.current = onTarget

  useEffect(() => {
    let nonce = 0
    let live = true
    const open = async (anomalyId: string): Promise<void> => {
      nonce += 1
      const mine = nonce
      try {
        const anomaly = await callCore('anomaly.get', { id: anomalyId })
        if (!live || mine !== nonce) return
        setMessage(null)
        latest.current({ anomaly, nonce: mine })
      } catch (error) {
        if (!live || mine !== nonce) return
        setMessage(
          error instanceof CoreCallError && error.code === 'NOT_FOUND'
            ? `The linked anomaly ${anomalyId} is not in this console's cache. Sync with the server that sent the alert (signed in as the alert's recipient), then open the link again.`
            : `Could not open the linked anomaly ${anomalyId}: ${error instanceof Error ? error.message : String(error)}`,
        )
      }
    }
    const fromHash = (): void => {
      const id = anomalyIdFromHash(window.location.hash)
      if (id === null) return
      // Clear the address so that opening the same link again is a change too.
      history.replaceState(null, '', `${window.location.pathname}${window.location.search}`)
      void open(id)
    }
    fromHash()
    window.addEventListener('hashchange', fromHash)
    const unsubscribe = bridge.onDeepLink?.((id) => void open(id))
    return () => {
      live = false
      window.removeEventListener('hashchange', fromHash)
      unsubscribe?.()
    }
  }, [])

  return { message, dismiss: () => setMessage(null) }
}
