import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode, useEffect } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.tsx'
import { dropEarlyCalls } from './api/early-calls.ts'
import { serverClient, TRPCProvider } from './api/server-api.ts'
import { AuthRoot } from './auth/AuthRoot.tsx'
import './styles.css'

const queryClient = new QueryClient({
  defaultOptions: {
    // Everything is local: refetch on window focus would only cost time.
    queries: { refetchOnWindowFocus: false, retry: 1, staleTime: 30_000 },
  },
})

/**
 * Rendered after the app: its effect runs once the first screen's own effects have
 * started their queries (and so taken the answers boot.ts asked for early).
 */
function DropEarlyCalls() {
  useEffect(dropEarlyCalls, [])
  return null
}

// Marks for the bench's first-paint breakdown (bench/desktop.ts).
performance.mark('anomalyze:app-code')
const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={serverClient} queryClient={queryClient}>
        <AuthRoot>
          <App />
          <DropEarlyCalls />
        </AuthRoot>
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
)
