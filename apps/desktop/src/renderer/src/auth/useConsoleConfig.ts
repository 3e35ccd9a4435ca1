import { useQuery } from '@tanstack/react-query'
import { callCore } from '../api/core-client.ts'

/** The console's start-up settings (Clerk or local sign-in, default server); fixed for the session. */
export function useConsoleConfig() {
  return useQuery({ queryKey: ['app.config'], queryFn: () => callCore('app.config', {}), staleTime: Infinity })
}
