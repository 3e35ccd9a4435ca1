const SERVER_URL_KEY = 'anomalyze.clerk.serverUrl'

/** The server chosen on the Clerk sign-in screen, remembered until Clerk completes. */
export function rememberServerUrl(url: string): void {
  window.localStorage.setItem(SERVER_URL_KEY, url)
}

export function pendingServerUrl(): string | null {
  return window.localStorage.getItem(SERVER_URL_KEY)
}
