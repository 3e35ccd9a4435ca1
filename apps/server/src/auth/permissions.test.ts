import { describe, expect, it } from 'vitest'
import { AppError } from '@anomalyze/shared'
import { authorize, can, PERMISSIONS, permissionsOf, type Permission } from './permissions.ts'
import type { Role, Session } from './session.ts'

const member = (role: Role): Session => ({ orgId: 'org_acme', userId: `user_${role.toLowerCase()}`, role, via: 'clerk', scopes: 'all' })
const apiKey = (scopes: string[]): Session => ({ orgId: 'org_acme', userId: 'user_admin', role: null, via: 'apikey', scopes, apiKeyId: 'key_1' })

/** What authorize throws, or null when it lets the caller through. */
function refusal(session: Session, permission: Permission): AppError | null {
  try {
    authorize(session, permission)
    return null
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    return error as AppError
  }
}

describe('permissions', () => {
  it('lets a viewer read but not decide, ingest or manage', () => {
    const viewer = member('VIEWER')
    for (const permission of ['anomalies:read', 'transactions:read', 'reports:read', 'audit:read', 'billing:read', 'members:read'] as const) {
      expect(can(viewer, permission), permission).toBe(true)
    }
    for (const permission of ['anomalies:decide', 'ingest:write', 'reports:run', 'members:manage', 'api-keys:manage', 'models:manage'] as const) {
      expect(can(viewer, permission), permission).toBe(false)
    }
  })

  it('lets an analyst decide and ingest but not manage', () => {
    const analyst = member('ANALYST')
    expect(can(analyst, 'anomalies:read')).toBe(true)
    expect(can(analyst, 'anomalies:decide')).toBe(true)
    expect(can(analyst, 'ingest:write')).toBe(true)
    expect(can(analyst, 'reports:run')).toBe(true)
    for (const permission of ['members:manage', 'api-keys:manage', 'billing:manage', 'notifications:manage', 'models:manage'] as const) {
      expect(can(analyst, permission), permission).toBe(false)
    }
  })

  it('lets an admin do everything', () => {
    expect(permissionsOf(member('ADMIN')).sort()).toEqual((Object.keys(PERMISSIONS) as Permission[]).sort())
  })

  it('gives each role at least what the roles below it have', () => {
    const viewer = permissionsOf(member('VIEWER'))
    const analyst = permissionsOf(member('ANALYST'))
    const admin = permissionsOf(member('ADMIN'))
    expect(analyst).toEqual(expect.arrayContaining(viewer))
    expect(admin).toEqual(expect.arrayContaining(analyst))
    expect(analyst.length).toBeGreaterThan(viewer.length)
    expect(admin.length).toBeGreaterThan(analyst.length)
  })

  it('names the role a member lacks', () => {
    expect(refusal(member('ANALYST'), 'anomalies:decide')).toBeNull()
    const viewer = refusal(member('VIEWER'), 'anomalies:decide')
    expect(viewer).toMatchObject({ code: 'FORBIDDEN', message: 'This needs the analyst role; you are a viewer in this organisation' })
    const analyst = refusal(member('ANALYST'), 'members:manage')
    expect(analyst).toMatchObject({ code: 'FORBIDDEN', message: 'This needs the admin role; you are an analyst in this organisation' })
  })

  it('lets an API key do what its scopes cover, and names the scope it lacks', () => {
    const reader = apiKey(['anomalies:read'])
    expect(can(reader, 'anomalies:read')).toBe(true)
    expect(can(reader, 'reports:run')).toBe(true) // reports are reads of anomalies
    expect(can(reader, 'anomalies:decide')).toBe(false)
    expect(refusal(reader, 'anomalies:read')).toBeNull()
    expect(refusal(reader, 'ingest:write')).toMatchObject({ code: 'FORBIDDEN', message: 'This key lacks the "ingest:write" scope' })
    expect(refusal(apiKey(['ingest:write']), 'ingest:write')).toBeNull()
  })

  it('keeps API keys out of people-only permissions whatever their scopes', () => {
    const everything = apiKey(['anomalies:read', 'anomalies:write', 'transactions:read', 'models:read', 'ingest:write'])
    for (const permission of ['members:manage', 'members:read', 'api-keys:manage', 'billing:manage', 'billing:read', 'audit:read', 'models:manage'] as const) {
      expect(can(everything, permission), permission).toBe(false)
      expect(refusal(everything, permission)).toMatchObject({ code: 'FORBIDDEN', message: 'Sign in as a member to do this; API keys cannot' })
    }
  })

  it("judges an API key by its scopes even when a role is set on the session (the key's creator may be an admin)", () => {
    const key: Session = { ...apiKey([]), role: 'ADMIN' }
    expect(can(key, 'anomalies:read')).toBe(false)
    expect(refusal(key, 'anomalies:read')).toMatchObject({ message: 'This key lacks the "anomalies:read" scope' })
  })
})
