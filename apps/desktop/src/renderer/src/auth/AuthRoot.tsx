import { lazy, Suspense, type ReactNode } from 'react'
import { useConsoleConfig } from './useConsoleConfig.ts'

// Clerk's SDK is only loaded by consoles configured for it.
const ClerkRoot = lazy(async () => ({ default: (await import('./ClerkAuth.tsx')).ClerkRoot }))

/** Wraps the console in Clerk when it is configured; the server's local mode needs nothing. */
export function AuthRoot({ children }: { children: ReactNode }) {
  const config = useConsoleConfig()
  if (config.isPending) return null
  const key = config.data?.clerkPublishableKey ?? null
  if (key === null) return <>{children}</>
  return (
    <Suspense fallback={null}>
      <ClerkRoot publishableKey={key}>{children}</ClerkRoot>
    </Suspense>
  )
}
