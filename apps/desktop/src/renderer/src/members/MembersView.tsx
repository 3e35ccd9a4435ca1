import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { AddedMember, Member } from '../../../contract/members.ts'
import { ROLE_NAME, ROLES, type Role } from '../../../contract/profile.ts'
import { callCore } from '../api/core-client.ts'
import { CaseSettingsPanel } from '../cases/CaseSettingsPanel.tsx'
import { RoleNote } from '../components/RoleNote.tsx'
import { formatTime } from '../format.ts'
import { usePermission } from '../hooks/useProfile.ts'
import { MEMBERS_KEY, membersQuery } from './members-query.ts'
import { useServerOnline } from '../hooks/useServerOnline.ts'

/**
 * Members (view 9): the organisation's people and their roles. Admins add (local mode:
 * the new person's token is shown once), change roles and remove; everyone else sees
 * the list and why the controls are absent. The server refuses what a role may not do
 * and says why (the last admin, a full plan): its words are shown as they are.
 */
export function MembersView() {
  const online = useServerOnline()
  const { allowed: canManage, reason, profile } = usePermission('members:manage')
  const queryClient = useQueryClient()
  const members = useQuery(membersQuery(online))
  const [added, setAdded] = useState<AddedMember | null>(null)
  const [removing, setRemoving] = useState<Member | null>(null)
  const [error, setError] = useState<string | null>(null)
  const refresh = (): void => {
    void queryClient.invalidateQueries({ queryKey: MEMBERS_KEY })
  }
  const changeRole = useMutation({
    mutationFn: (args: { userId: string; role: Role }) => callCore('members.changeRole', args),
    onMutate: () => setError(null),
    onError: (e) => setError(e.message),
    onSettled: refresh,
  })

  if (!online)
    return (
      <p className="empty-box" data-testid="members-offline">
        The member list lives on the server: sign in and go online to see it.
      </p>
    )

  const orgName = profile?.org?.name ?? 'this organisation'
  return (
    <section className="members-view" data-testid="members-view">
      <h2>Members of {orgName}</h2>
      <p className="muted">
        Viewers read; analysts also decide, label, note, score files and run reports; admins also manage members, API keys, billing, alert routing and models.
      </p>
      {!canManage && <RoleNote reason={reason} />}
      {error !== null && (
        <p className="error-box" role="alert" data-testid="members-error">
          {error}
        </p>
      )}
      {members.isError && (
        <p className="error-box" role="alert">
          {members.error.message}
        </p>
      )}
      {members.data !== undefined && (
        <table className="reports-table members-table" aria-label="Members">
          <thead>
            <tr>
              <th>Name</th>
              <th>E-mail</th>
              <th>Role</th>
              <th>Joined</th>
              {canManage && <th aria-label="Actions" />}
            </tr>
          </thead>
          <tbody>
            {members.data.map((member) => {
              const name = member.name ?? member.userId
              return (
                <tr key={member.userId} data-testid="member-row" data-user-id={member.userId}>
                  <td>
                    {name}
                    {member.userId === profile?.id && <span className="muted"> (you)</span>}
                  </td>
                  <td>{member.email ?? <span className="muted">—</span>}</td>
                  <td>
                    {canManage ? (
                      <select
                        aria-label={`Role of ${name}`}
                        value={member.role}
                        disabled={changeRole.isPending}
                        onChange={(e) => changeRole.mutate({ userId: member.userId, role: e.target.value as Role })}
                      >
                        {ROLES.map((role) => (
                          <option key={role} value={role}>
                            {ROLE_NAME[role]}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className={`role-badge role-${ROLE_NAME[member.role]}`}>{ROLE_NAME[member.role]}</span>
                    )}
                  </td>
                  <td className="muted">{formatTime(member.joinedAt)}</td>
                  {canManage && (
                    <td>
                      <button type="button" onClick={() => setRemoving(member)} aria-label={`Remove ${name}`}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      {canManage &&
        (profile?.mode === 'clerk' ? (
          <p className="muted">
            This server signs people in with Clerk: invite teammates to the organisation from Clerk; they appear here when they first sign in.
          </p>
        ) : (
          <AddMemberForm
            onAdded={(result) => {
              setAdded(result)
              refresh()
            }}
          />
        ))}
      {members.data !== undefined && <CaseSettingsPanel members={members.data} />}
      {added !== null && <TokenOnce added={added} onClose={() => setAdded(null)} />}
      {removing !== null && (
        <RemoveDialog
          member={removing}
          orgName={orgName}
          onClose={() => setRemoving(null)}
          onRemoved={() => {
            setRemoving(null)
            refresh()
          }}
        />
      )}
    </section>
  )
}

function AddMemberForm({ onAdded }: { onAdded: (added: AddedMember) => void }) {
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('ANALYST')
  const add = useMutation({
    mutationFn: () => callCore('members.add', { name: name.trim(), role, ...(email.trim() === '' ? {} : { email: email.trim() }) }),
    onSuccess: (result) => {
      setName('')
      setEmail('')
      onAdded(result)
    },
  })
  return (
    <form
      className="report-form member-form"
      aria-label="Add a member"
      onSubmit={(e) => {
        e.preventDefault()
        add.mutate()
      }}
    >
      <h3>Add a member</h3>
      <div className="report-row">
        <label className="field">
          Name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} aria-label="Name" />
        </label>
        <label className="field">
          E-mail (optional) <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={254} aria-label="E-mail" />
        </label>
        <label className="field">
          Role{' '}
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} aria-label="Role">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_NAME[r]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={add.isPending || name.trim() === ''}>
          {add.isPending ? 'Adding…' : 'Add member'}
        </button>
      </div>
      {add.isError && (
        <p className="error-text" role="alert">
          {add.error.message}
        </p>
      )}
    </form>
  )
}

/** The new person's sign-in token: the server keeps only what verifies it, so this is the one chance to copy it. */
function TokenOnce({ added, onClose }: { added: AddedMember; onClose: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null)
  const name = added.member.name ?? added.member.userId
  return (
    <div className="token-once" role="region" aria-label={`Sign-in token for ${name}`} data-testid="member-token">
      <h3>
        {name} was added as {ROLE_NAME[added.member.role]}
      </h3>
      <p className="token-warning">
        <strong>Copy this sign-in token now: it will not be shown again.</strong> Give it to {name} privately; they paste it into the console's sign-in.
      </p>
      <div className="token-row">
        <input readOnly value={added.token} aria-label="New member's token" onFocus={(e) => e.target.select()} data-testid="member-token-value" />
        <button
          type="button"
          onClick={() => {
            navigator.clipboard.writeText(added.token).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            )
          }}
        >
          Copy
        </button>
        {copied === 'yes' && <span className="muted">Copied</span>}
        {copied === 'failed' && <span className="error-text">The browser refused the clipboard: select the token and copy it by hand.</span>}
      </div>
      <button type="button" className="link" onClick={onClose}>
        I have copied it — hide the token
      </button>
    </div>
  )
}

function RemoveDialog({ member, orgName, onClose, onRemoved }: { member: Member; orgName: string; onClose: () => void; onRemoved: () => void }) {
  const name = member.name ?? member.userId
  const remove = useMutation({ mutationFn: () => callCore('members.remove', { userId: member.userId }), onSuccess: onRemoved })
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label={`Remove ${name}`} onClick={onClose}>
      <div className="overlay-card" onClick={(e) => e.stopPropagation()}>
        <h2>
          Remove {name} from {orgName}?
        </h2>
        <p>
          {name} ({ROLE_NAME[member.role]}) loses access with their next request. Their decisions and notes stay in the history.
        </p>
        {remove.isError && (
          <p className="error-box" role="alert" data-testid="remove-error">
            {remove.error.message}
          </p>
        )}
        <div className="actions">
          <button type="button" className="act-fraud" disabled={remove.isPending} onClick={() => remove.mutate()}>
            {remove.isPending ? 'Removing…' : `Remove ${name}`}
          </button>
          <button type="button" onClick={onClose} autoFocus>
            Cancel
          </button>
        </div>
      </div>
    </div>
  )
}
