/** One tRPC procedure of the server, forwarded by the core with the stored session. */
export interface ServerCallArgs {
  type: 'query' | 'mutation'
  /** Dotted procedure path, e.g. "billing.overview". */
  path: string
  input?: unknown
}

/** What the console was started with (not secrets): decides the sign-in screen. */
export interface ConsoleConfig {
  /** Clerk publishable key when the organisation signs in with Clerk; null = server's local mode. */
  clerkPublishableKey: string | null
  /** Server to offer on the sign-in screen. */
  defaultServerUrl: string | null
}

export interface SignInArgs {
  serverUrl: string
  token: string
}
