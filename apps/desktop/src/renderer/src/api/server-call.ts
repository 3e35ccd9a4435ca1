import { bridge } from './core-client.ts'

/**
 * A server procedure through the console's `server.call` bridge (the same path as
 * useTRPC), typed by the shared zod contract rather than the server's router: the case
 * procedures' shapes live in @anomalyze/shared. The server's message comes back as the
 * Error's message, so the screen can show it as it is.
 */
export async function callServer<T>(type: 'query' | 'mutation', path: string, input?: unknown): Promise<T> {
  const result = await bridge.call('server.call', { type, path, ...(input === undefined ? {} : { input }) })
  if (result.error !== undefined) {
    const envelope = result.error.details?.['trpc'] as { message?: string } | null | undefined
    throw new Error(envelope?.message ?? result.error.message)
  }
  return result.data as T
}
