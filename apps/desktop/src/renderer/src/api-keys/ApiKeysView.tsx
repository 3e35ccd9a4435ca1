import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { API_KEY_SCOPE_DOES, API_KEY_SCOPES, DEFAULT_API_KEY_SCOPES, type ApiKey, type ApiKeyScope, type CreatedApiKey } from '../../../contract/api-keys.ts'
import { callCore } from '../api/core-client.ts'
import { useTRPC } from '../api/server-api.ts'
import { RoleNote } from '../components/RoleNote.tsx'
import { formatTime } from '../format.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'
import { useSyncStatus } from '../hooks/useSyncStatus.ts'
import { API_KEYS_KEY, apiKeysQuery } from './api-keys-query.ts'

/**
 * API keys (view 0): the organisation's ingestion keys. Admins list, create (the secret
 * is shown once: the server keeps only its hash) and revoke; everyone else is told why
 * the view is empty, and the list is not even asked for (the server would refuse it).
 * Refusals (the plan's key limit) are shown in the server's words.
 */
export function ApiKeysView() {
  const online = useServerOnline()
  const { allowed: canManage, reason, profile } = usePermission('api-keys:manage')
  const serverUrl = useSyncStatus().data?.serverUrl ?? null
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const keys = useQuery(apiKeysQuery(online && canManage))
  const usage = useQuery({ ...trpc.billing.overview.queryOptions(), enabled: online && canManage, staleTime: 0 }).data?.usage
  const [created, setCreated] = useState<CreatedApiKey | null>(null)
  const [revoking, setRevoking] = useState<ApiKey | null>(null)
  const refresh = (): void => {
    void queryClient.invalidateQueries({ queryKey: API_KEYS_KEY })
    void queryClient.invalidateQueries({ queryKey: trpc.billing.overview.queryKey() })
  }

  if (!online)
    return (
      <p className="empty-box" data-testid="api-keys-offline">
        API keys live on the server: sign in and go online to see them.
      </p>
    )

  const orgName = profile?.org?.name ?? 'this organisation'
  return (
    <section className="members-view api-keys-view" data-testid="api-keys-view">
      <h2>API keys of {orgName}</h2>
      <p className="muted">
        An ingestion client sends transactions with a key as its bearer token. A key acts for the organisation within its scopes; revoking it refuses its next
        request.
      </p>
      {!canManage && <RoleNote reason={reason} />}
      {canManage && usage !== undefined && (
        <p className="muted" data-testid="api-keys-usage">
          Active keys: <strong>{usage.apiKeys}</strong> of {usage.maxApiKeys} on your plan.
        </p>
      )}
      {/* Above the list: the one thing the admin must act on now. */}
      {created !== null && <SecretOnce created={created} serverUrl={serverUrl} onClose={() => setCreated(null)} />}
      {keys.isError && (
        <p className="error-box" role="alert">
          {keys.error.message}
        </p>
      )}
      {canManage &&
        keys.data !== undefined &&
        (keys.data.length === 0 ? <p className="empty-box">No API keys yet: create one below.</p> : <KeyTable keys={keys.data} onRevoke={setRevoking} />)}
      {canManage && (
        <CreateKeyForm
          onCreated={(key) => {
            setCreated(key)
            refresh()
          }}
        />
      )}
      {revoking !== null && (
        <RevokeDialog
          apiKey={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setRevoking(null)
            refresh()
          }}
        />
      )}
    </section>
  )
}

function KeyTable({ keys, onRevoke }: { keys: ApiKey[]; onRevoke: (key: ApiKey) => void }) {
  return (
    <table className="reports-table members-table api-keys-table" aria-label="API keys">
      <thead>
        <tr>
          <th>Name</th>
          <th>Prefix</th>
          <th>Scopes</th>
          <th>Created</th>
          <th>Last used</th>
          <th>Revoked</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key.id} data-testid="api-key-row" data-key-id={key.id} className={key.revokedAt === null ? undefined : 'revoked'}>
            <td>{key.name}</td>
            <td>
              <code>{key.keyPrefix}</code>
            </td>
            <td>
              {key.scopes.map((scope) => (
                <span key={scope} className="scope-badge">
                  {scope}
                </span>
              ))}
            </td>
            <td className="muted">{formatTime(key.createdAt)}</td>
            <td className="muted">{key.lastUsedAt === null ? 'never' : formatTime(key.lastUsedAt)}</td>
            <td data-testid="api-key-revoked">{key.revokedAt === null ? <span className="muted">—</span> : formatTime(key.revokedAt)}</td>
            <td>
              {key.revokedAt === null && (
                <button type="button" onClick={() => onRevoke(key)} aria-label={`Revoke ${key.name}`}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function CreateKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<ApiKeyScope[]>(DEFAULT_API_KEY_SCOPES)
  const create = useMutation({
    mutationFn: () => callCore('apiKeys.create', { name: name.trim(), scopes }),
    onSuccess: (key) => {
      setName('')
      setScopes(DEFAULT_API_KEY_SCOPES)
      onCreated(key)
    },
  })
  const toggle = (scope: ApiKeyScope, on: boolean): void => setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)))
  return (
    <form
      className="report-form member-form"
      aria-label="Create an API key"
      onSubmit={(e) => {
        e.preventDefault()
        create.mutate()
      }}
    >
      <h3>Create an API key</h3>
      <div className="report-row">
        <label className="field">
          Name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} aria-label="Key name" placeholder="e.g. ingest bot" />
        </label>
      </div>
      <fieldset className="scope-list">
        <legend>Scopes</legend>
        {API_KEY_SCOPES.map((scope) => (
          <label key={scope} className="scope-option">
            <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} aria-label={scope} />
            <code>{scope}</code> <span className="muted">{API_KEY_SCOPE_DOES[scope]}</span>
          </label>
        ))}
      </fieldset>
      <div className="report-row">
        <button type="submit" disabled={create.isPending || name.trim() === '' || scopes.length === 0}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
        {scopes.length === 0 && <span className="muted">Pick at least one scope.</span>}
      </div>
      {create.isError && (
        <p className="error-text" role="alert" data-testid="api-key-create-error">
          {create.error.message}
        </p>
      )}
    </form>
  )
}

/** One line an ingestion client's author can paste to check the key works (README, "Ingestion API"). */
export function curlExample(serverUrl: string, secret: string): string {
  const body = JSON.stringify({
    transactions: [
      { txId: 't-1', timestamp: '2026-03-01T10:00:00Z', amount: 1250.5, currency: 'INR', accountId: 'card_42', merchantId: 'term_7', country: 'IN' },
    ],
  })
  return `curl -s -X POST ${serverUrl.replace(/\/+$/, '')}/trpc/ingest.transactions -H 'authorization: Bearer ${secret}' -H 'content-type: application/json' -d '${body}'`
}

/** The new key's secret: the server keeps only its hash, so this is the one chance to copy it. */
function SecretOnce({ created, serverUrl, onClose }: { created: CreatedApiKey; serverUrl: string | null; onClose: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null)
  return (
    <div className="token-once" role="region" aria-label={`Secret of ${created.name}`} data-testid="api-key-secret">
      <h3>API key “{created.name}” created</h3>
      <p className="token-warning">
        <strong>Copy this key now: it will not be shown again.</strong> The server keeps only a hash of it; if it is lost, revoke it and create another.
      </p>
      <div className="token-row">
        <input readOnly value={created.secret} aria-label="New API key" onFocus={(e) => e.target.select()} data-testid="api-key-secret-value" />
        <button
          type="button"
          onClick={() => {
            navigator.clipboard.writeText(created.secret).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            )
          }}
        >
          Copy
        </button>
        {copied === 'yes' && <span className="muted">Copied</span>}
        {copied === 'failed' && <span className="error-text">The browser refused the clipboard: select the key and copy it by hand.</span>}
      </div>
      {serverUrl !== null && created.scopes.includes('ingest:write') && (
        <>
          <p className="muted">Try it: send one transaction.</p>
          <pre className="curl-example" data-testid="api-key-curl">
            {curlExample(serverUrl, created.secret)}
          </pre>
        </>
      )}
      <button type="button" className="link" onClick={onClose}>
        I have copied it — hide the key
      </button>
    </div>
  )
}

function RevokeDialog({ apiKey, onClose, onRevoked }: { apiKey: ApiKey; onClose: () => void; onRevoked: () => void }) {
  const revoke = useMutation({ mutationFn: () => callCore('apiKeys.revoke', { id: apiKey.id }), onSuccess: onRevoked })
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label={`Revoke ${apiKey.name}`} onClick={onClose}>
      <div className="overlay-card" onClick={(e) => e.stopPropagation()}>
        <h2>Revoke “{apiKey.name}”?</h2>
        <p>
          Every request with <code>{apiKey.keyPrefix}…</code> is refused from now on. This cannot be undone: a client that still needs access needs a new key.
        </p>
        {revoke.isError && (
          <p className="error-box" role="alert" data-testid="revoke-error">
            {revoke.error.message}
          </p>
        )}
        <div className="actions">
          <button type="button" className="act-fraud" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
            {revoke.isPending ? 'Revoking…' : `Revoke ${apiKey.name}`}
          </button>
          <button type="button" onClick={onClose} autoFocus>
            Cancel
          </button>
        </div>
      </div>
    </div>
  )
}
