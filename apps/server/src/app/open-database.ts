import path from 'node:path'
import { checkDatabaseReachable, describeUrl } from '../db/check-database.ts'
import { runningEmbeddedPostgres, startEmbeddedPostgres } from '../db/embedded-postgres.ts'
import { ensureDatabase, migrateIfNeeded } from '../db/migrate.ts'
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
  /** For command-line tools beside a running server: use its embedded cluster rather than refuse to start a second. */
  shareRunning?: boolean
}): Promise<OpenedDatabase> {
  const { log } = options
  let url = options.databaseUrl
  let close = async (): Promise<void> => undefined
  const running = !url && options.shareRunning ? runningEmbeddedPostgres(path.join(options.dataDir, 'postgres')) : null
  if (running) url = running.urlFor('anomalyze')
  if (!url) {
    const postgres = await startEmbeddedPostgres({ dir: path.join(options.dataDir, 'postgres'), port: options.pgPort, log })
    await ensureDatabase(postgres.adminUrl, 'anomalyze')
    url = postgres.urlFor('anomalyze')
    close = () => postgres.stop()
    log.info({ database: describeUrl(url), dataDir: options.dataDir }, 'embedded Postgres started')
  }
  try {
    await checkDatabaseReachable(url)
    const applied = await migrateIfNeeded(url)
    log.info({ database: describeUrl(url), applied }, applied.length > 0 ? 'database migrated' : 'database schema up to date')
  } catch (error) {
    await close()
    throw error
  }
  return { url, embedded: !options.databaseUrl, close }
}
