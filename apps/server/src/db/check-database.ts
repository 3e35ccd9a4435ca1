import pg from 'pg'

/** Fails fast, with the host named, when the database cannot be reached. */
export async function checkDatabaseReachable(databaseUrl: string, timeoutMs = 5_000): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs })
  try {
    await client.connect()
    await client.query('SELECT 1')
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`Cannot reach the database at ${describeUrl(databaseUrl)}: ${reason}`)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** host:port/database, without credentials, for messages and logs. */
export function describeUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl)
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`
  } catch {
    return '(unparseable DATABASE_URL)'
  }
}
