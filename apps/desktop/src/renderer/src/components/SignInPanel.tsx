import { useState } from 'react'
import { useSyncActions } from '../hooks/useSyncActions.ts'

/** First run: connect to a server, or carry on with local data only. */
export function SignInPanel({ onSkip }: { onSkip?: () => void }) {
  const { signIn } = useSyncActions()
  const [serverUrl, setServerUrl] = useState('http://127.0.0.1:3000')
  const [token, setToken] = useState('')
  return (
    <form
      className="sign-in"
      aria-label="Sign in"
      onSubmit={(e) => {
        e.preventDefault()
        signIn.mutate({ serverUrl: serverUrl.trim(), token: token.trim() })
      }}
    >
      <h2>Connect to your Anomalyze server</h2>
      <p className="muted">The queue syncs from the server and works offline afterwards. Decisions are queued locally and sent when you are back online.</p>
      <label>Server URL <input value={serverUrl} onChange={(e) => setServerUrl(e.target.value)} required /></label>
      <label>Token <input type="password" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" /></label>
      {signIn.isError && <p className="error-box" role="alert">{signIn.error.message}</p>}
      <div className="actions">
        <button type="submit" disabled={signIn.isPending}>{signIn.isPending ? 'Checking…' : 'Sign in and sync'}</button>
        {onSkip !== undefined && <button type="button" className="link" onClick={onSkip}>Work offline with a file instead</button>}
      </div>
    </form>
  )
}
