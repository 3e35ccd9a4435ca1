import path from 'node:path'
import { checkDatabaseReachable, describeUrl } from '../db/check-database.ts'
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts'
import { ensureDatabase, migrateDatabase } from '../db/migrate.ts'
import type { Logger } from '../logger.ts'

export interface OpenedDatabase {
  url: string
  embedded: boolean
  close(): Promise<void>
}

/**
 * DATABASE_URL when given; otherwise a real Postgres embedded in the data dir,
 * kept across restarts. Either way the committed migrations are applied.
 */
export async function openDatabase(options: {
  databaseUrl?: string | undefined
  dataDir: string
  pgPort: number
  log: Logger
}): Promise<OpenedDatabase> {
  const { log } = options
  let url = options.databaseUrl
  let close = async (): Promise<void> => undefined
  if (!url) {
    const postgres = await startEmbeddedPostgres({ dir: path.join(options.dataDir, 'postgres'), port: options.pgPort, log })
    await ensureDatabase(postgres.adminUrl, 'anomalyze')
    url = postgres.urlFor('anomalyze')
    close = () => postgres.stop()
    log.info({ database: describeUrl(url), dataDir: options.dataDir }, 'embedded Postgres started')
  }
  try {
    await checkDatabaseReachable(url)
    const output = await migrateDatabase(url)
    log.info({ database: describeUrl(url), migrations: summarise(output) }, 'database migrated')
  } catch (error) {
    await close()
    throw error
  }
  return { url, embedded: !options.databaseUrl, close }
}

function summarise(output: string): string {
  if (/No pending migrations/i.test(output)) return 'up to date'
  const applied = output.match(/following migration\(s\) have been applied:[\s\S]*/i)?.[0]
  return applied ? applied.replace(/\s+/g, ' ').trim() : 'applied'
}
