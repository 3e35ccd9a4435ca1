import { looksLikeApiKey } from '../services/api-keys/api-key-format.ts'
import type { Authenticator } from './session.ts'

/** API keys (`sk_...`) go to the key authenticator, everything else to user sign-in. */
export function routeByToken(users: Authenticator, apiKeys: Authenticator): Authenticator {
  return {
    authenticate: (token, client) => (looksLikeApiKey(token) ? apiKeys : users).authenticate(token, client),
  }
}
