import { callCore } from '../api/core-client.ts'

export const API_KEYS_KEY = ['apiKeys.list'] as const

/**
 * The organisation's API keys (API keys view): asked only by a role that may manage them,
 * and again each time the view opens, so keys another admin made or revoked show up.
 */
export function apiKeysQuery(enabled: boolean) {
  return { queryKey: API_KEYS_KEY, queryFn: () => callCore('apiKeys.list', {}), enabled, staleTime: 0 }
}
