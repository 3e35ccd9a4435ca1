import { useSyncStatus } from './useSyncStatus.ts'

/** True when the console is signed in and the server answered last time: online screens query only then. */
export function useServerOnline(): boolean {
  const status = useSyncStatus()
  return status.data?.signedIn === true && status.data.state !== 'offline'
}
