import { ClerkProvider, SignIn, useAuth } from '@clerk/clerk-react'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, type ReactNode } from 'react'
import { callCore } from '../api/core-client.ts'
import { SYNC_STATUS_KEY } from '../hooks/useSyncStatus.ts'
import { pendingServerUrl } from './pending-server-url.ts'

/** Clerk tokens live about a minute; relay a fresh one well before that. */
const REFRESH_MS = 45_000

/**
 * Clerk sign-in for organisations that use it (loaded only when the console has a
 * publishable key). The renderer never stores the token: each fresh Clerk session
 * token is handed to the core, which keeps it encrypted at rest and syncs with it.
 * When Clerk is unreachable (offline), the core keeps the last session and the
 * queue stays usable; sync resumes once a fresh token arrives.
 */
export function ClerkRoot({ publishableKey, children }: { publishableKey: string; children: ReactNode }) {
  return (
    <ClerkProvider publishableKey={publishableKey}>
      <ClerkTokenRelay />
      {children}
    </ClerkProvider>
  )
}

function ClerkTokenRelay() {
  const { isSignedIn, getToken } = useAuth()
  const queryClient = useQueryClient()
  useEffect(() => {
    if (isSignedIn !== true) return
    let stopped = false
    const relay = async (): Promise<void> => {
      const token = await getToken()
      if (stopped || token === null) return
      const status = await callCore('sync.status', {})
      if (status.signedIn) await callCore('session.refreshToken', { token })
      else {
        const serverUrl = status.serverUrl ?? pendingServerUrl()
        if (serverUrl === null) return
        await callCore('session.signIn', { serverUrl, token })
        void callCore('sync.now', {})
      }
      void queryClient.invalidateQueries({ queryKey: SYNC_STATUS_KEY })
    }
    void relay().catch(() => {})
    const timer = setInterval(() => void relay().catch(() => {}), REFRESH_MS)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [isSignedIn, getToken, queryClient])
  return null
}

/** Clerk's own sign-in form; routing by hash because the console has no URL routes. */
export function ClerkSignInForm() {
  return <SignIn routing="hash" />
}
