import { ROLE_NAME, type OrgMembership, type Profile } from '../../../contract/profile.ts'

function roleLabel(role: OrgMembership['role']): string {
  return role === null ? 'API key' : ROLE_NAME[role]
}

/**
 * The header's who-and-where: the person, the organisation they act in and their role.
 * Belonging to several organisations, a menu lists them; the organisation comes from
 * the sign-in token, so switching means signing in with the other one's token (Clerk:
 * switching the active organisation there). Nothing here pretends to switch.
 */
export function AccountMenu({ profile, onSignInAsOther }: { profile: Profile; onSignInAsOther?: (() => void) | undefined }) {
  const person = profile.mode === 'apikey' ? 'API key' : (profile.name ?? profile.email ?? profile.id)
  const org = profile.org
  const others = profile.organizations.filter((o) => o.id !== org?.id)
  return (
    <div className="account" data-testid="account">
      <span className="account-who">
        <span className="account-person" data-testid="account-person" title={profile.email ?? undefined}>
          {person}
        </span>
        {org !== null && (
          <span className="account-org" data-testid="account-org">
            {org.personal ? `${org.name} (personal)` : org.name}
          </span>
        )}
      </span>
      {org !== null && (
        <span
          className={`role-badge role-${roleLabel(org.role).replace(' ', '-').toLowerCase()}`}
          data-testid="account-role"
          title={`Your role in ${org.name}`}
        >
          {roleLabel(org.role)}
        </span>
      )}
      {profile.organizations.length > 1 && (
        <details className="org-menu" data-testid="org-menu">
          <summary>{others.length === 1 ? '1 other organisation' : `${others.length} other organisations`}</summary>
          <div className="org-menu-card">
            <ul>
              {profile.organizations.map((o) => (
                <li key={o.id} aria-current={o.id === org?.id ? 'true' : undefined}>
                  {o.personal ? `${o.name} (personal)` : o.name} <span className="muted">{roleLabel(o.role)}</span>
                  {o.id === org?.id && <span className="muted"> · working here</span>}
                </li>
              ))}
            </ul>
            <p className="muted">
              {profile.mode === 'clerk'
                ? 'The organisation comes from your sign-in: switch the active organisation in Clerk, and the console follows with its next token.'
                : 'The organisation comes from your sign-in token: to work in another one, sign in with the token you were given for it.'}
            </p>
          </div>
        </details>
      )}
      {onSignInAsOther !== undefined && (
        <button type="button" className="link" onClick={onSignInAsOther} data-testid="switch-person" title="Sign in as someone else, with their own token">
          Switch person
        </button>
      )}
    </div>
  )
}
