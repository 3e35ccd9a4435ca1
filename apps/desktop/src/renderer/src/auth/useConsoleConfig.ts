import { useQuery } from '@tanstack/react-query'
import { callCore } from '../api/core-client.ts'

export const CONSOLE_CONFIG_KEY = ['app.config'] as const

/** The console's start-up settings (Clerk or local sign-in, default server); fixed for the session. */
export function useConsoleConfig() {
  return useQuery({ queryKey: CONSOLE_CONFIG_KEY, queryFn: () => callCore('app.config', {}), staleTime: Infinity })
}
