import { useQuery } from '@tanstack/react-query'
import { refusalReason, type Permission, type Profile } from '../../../contract/profile.ts'
import { callCore } from '../api/core-client.ts'
import { useSyncStatus } from './useSyncStatus.ts'

export const PROFILE_KEY = ['session.profile'] as const

/**
 * Who is signed in, with their organisation, role and permissions. Asked again every
 * minute and when the window regains focus: an admin may change the role meanwhile.
 */
export function useProfile() {
  const signedIn = useSyncStatus().data?.signedIn ?? false
  return useQuery({
    queryKey: [...PROFILE_KEY, signedIn],
    queryFn: () => callCore('session.profile', {}),
    refetchInterval: 60_000,
    refetchOnWindowFocus: true,
    staleTime: 10_000,
  })
}

/**
 * Whether the signed-in role allows `permission`, and if not the reason to show beside
 * the control. Until the profile is known the control stays usable: the server decides.
 */
export function usePermission(permission: Permission): { allowed: boolean; reason: string | null; profile: Profile | null } {
  const profile = useProfile().data?.profile ?? null
  const reason = refusalReason(profile, permission)
  return { allowed: reason === null, reason, profile }
}
