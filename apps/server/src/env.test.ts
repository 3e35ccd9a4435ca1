import { describe, expect, it } from 'vitest'
import { ConfigError, loadEnv } from './env.ts'

describe('loadEnv', () => {
  it('fills defaults for an empty environment', () => {
    expect(loadEnv({})).toMatchObject({ HOST: '127.0.0.1', PORT: 4000, PG_PORT: 54_329, LOG_LEVEL: 'info' })
  })

  it('treats empty strings as unset', () => {
    expect(loadEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined()
  })

  it('names every malformed variable', () => {
    const load = () => loadEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', CLERK_JWT_KEY: 'abc' })
    expect(load).toThrow(ConfigError)
    expect(load).toThrow(/PORT:[\s\S]*DATABASE_URL: must be a postgres[\s\S]*CLERK_JWT_KEY: must be a PEM/)
  })

  it('splits the authorized parties list', () => {
    expect(loadEnv({ CLERK_AUTHORIZED_PARTIES: 'http://a, http://b' }).CLERK_AUTHORIZED_PARTIES).toEqual(['http://a', 'http://b'])
  })
})
