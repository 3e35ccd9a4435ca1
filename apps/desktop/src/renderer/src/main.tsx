import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.tsx'
import { serverClient, TRPCProvider } from './api/server-api.ts'
import { AuthRoot } from './auth/AuthRoot.tsx'
import './styles.css'

const queryClient = new QueryClient({
  defaultOptions: {
    // Everything is local: refetch on window focus would only cost time.
    queries: { refetchOnWindowFocus: false, retry: 1, staleTime: 30_000 },
  },
})

const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={serverClient} queryClient={queryClient}>
        <AuthRoot>
          <App />
        </AuthRoot>
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
)
