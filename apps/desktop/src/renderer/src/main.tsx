import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode, useEffect } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App.tsx'
import { dropEarlyCalls, earlyAnswer } from './api/early-calls.ts'
import { serverClient, TRPCProvider } from './api/server-api.ts'
import { AuthRoot } from './auth/AuthRoot.tsx'
import { CONSOLE_CONFIG_KEY } from './auth/useConsoleConfig.ts'
import { DEFAULT_QUERY, headArgs } from './queue/first-screen.ts'
import { headQueryKey } from './queue/useQueueQuery.ts'
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
/**
 * The first render starts from the answers boot.ts asked for, when they are in: then
 * the queue's first rows come out of that one render, instead of a blank pass and one
 * more render per answer.
 */
async function seedFirstScreen(): Promise<void> {
  const config = await earlyAnswer('app.config', {}, 1_000)
  if (config !== undefined) queryClient.setQueryData(CONSOLE_CONFIG_KEY, config)
  const head = await earlyAnswer('queue.head', headArgs(DEFAULT_QUERY), 200)
  if (head !== undefined) queryClient.setQueryData(headQueryKey(DEFAULT_QUERY), head)
}

const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root')
// Rendering waits for the seeding; a failed early call only means the query asks again.
void seedFirstScreen()
  .catch(() => undefined)
  .then(() => {
    performance.mark('anomalyze:render')
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
  })
