import { lazy, Suspense, useState } from 'react'
import { rememberServerUrl } from '../auth/pending-server-url.ts'
import { useConsoleConfig } from '../auth/useConsoleConfig.ts'
import { useSyncActions } from '../hooks/useSyncActions.ts'
import { useSyncStatus } from '../hooks/useSyncStatus.ts'

const ClerkSignInForm = lazy(async () => ({ default: (await import('../auth/ClerkAuth.tsx')).ClerkSignInForm }))

/**
 * Connect to a server (first run), or sign in as another person of the team (each
 * signs in with their own token), or carry on with local data only.
 */
export function SignInPanel({ onSkip, onDone, onCancel }: { onSkip?: () => void; onDone?: () => void; onCancel?: () => void }) {
  const config = useConsoleConfig().data
  const serverUrl = useSyncStatus().data?.serverUrl ?? null
  if (config?.clerkPublishableKey != null) return <ClerkSignInPanel defaultServerUrl={config.defaultServerUrl} onSkip={onSkip} />
  return <TokenSignInPanel defaultServerUrl={serverUrl ?? config?.defaultServerUrl ?? null} onSkip={onSkip} onDone={onDone} onCancel={onCancel} />
}

interface PanelProps {
  defaultServerUrl: string | null
  onSkip?: (() => void) | undefined
  onDone?: (() => void) | undefined
  onCancel?: (() => void) | undefined
}

/** Clerk: pick the server, then Clerk's form; the token relay in ClerkAuth signs the core in. */
function ClerkSignInPanel({ defaultServerUrl, onSkip }: PanelProps) {
  const [serverUrl, setServerUrl] = useState(defaultServerUrl ?? 'http://127.0.0.1:4000')
  rememberServerUrl(serverUrl)
  return (
    <section className="sign-in" aria-label="Sign in">
      <h2>Sign in to Anomalyze</h2>
      <label>
        Server URL <input value={serverUrl} onChange={(e) => setServerUrl(e.target.value.trim())} required />
      </label>
      <Suspense fallback={<p className="muted">Loading sign-in…</p>}>
        <ClerkSignInForm />
      </Suspense>
      {onSkip !== undefined && (
        <button type="button" className="link" onClick={onSkip}>
          Work offline with a file instead
        </button>
      )}
    </section>
  )
}

/**
 * Local mode: a person's own token (the admin's is printed by `npm start` and kept in
 * local-session.json; a teammate's is printed once by `users add` or the Members view).
 */
function TokenSignInPanel({ defaultServerUrl, onSkip, onDone, onCancel }: PanelProps) {
  const { signIn } = useSyncActions()
  const [serverUrl, setServerUrl] = useState(defaultServerUrl ?? 'http://127.0.0.1:4000')
  const [token, setToken] = useState('')
  return (
    <form
      className="sign-in"
      aria-label="Sign in"
      onSubmit={(e) => {
        e.preventDefault()
        signIn.mutate({ serverUrl: serverUrl.trim(), token: token.trim() }, { onSuccess: () => onDone?.() })
      }}
    >
      <h2>Connect to your Anomalyze server</h2>
      <p className="muted">
        The queue syncs from the server and works offline afterwards. Decisions are queued locally and sent when you are back online. Each person signs in with
        their own token: an admin gets one for a teammate from the Members view or <code>anomalyze-server users add</code>.
      </p>
      <label>
        Server URL <input value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} required />
      </label>
      <label>
        Token <input type="password" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" />
      </label>
      {signIn.isError && (
        <p className="error-box" role="alert">
          {signIn.error.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Checking…' : 'Sign in and sync'}
        </button>
        {onSkip !== undefined && (
          <button type="button" className="link" onClick={onSkip}>
            Work offline with a file instead
          </button>
        )}
        {onCancel !== undefined && (
          <button type="button" className="link" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  )
}
