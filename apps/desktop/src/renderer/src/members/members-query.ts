import { callCore } from '../api/core-client.ts'

export const MEMBERS_KEY = ['members.list'] as const

/** The organisation's members (Members view, the audit view's person filter). */
export function membersQuery(enabled: boolean) {
  return { queryKey: MEMBERS_KEY, queryFn: () => callCore('members.list', {}), enabled, staleTime: 30_000 }
}
