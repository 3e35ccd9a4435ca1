import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts'
import { ensureDatabase, migrateDatabase } from '../src/db/migrate.ts'
import { findFreePort } from '../src/net/find-free-port.ts'

/**
 * One real Postgres for the whole test run (a throwaway cluster in a temp dir), with
 * a template database holding the migrated schema. Each test file clones the
 * template into its own database (see helpers/test-database.ts), which takes
 * milliseconds and keeps files independent.
 */
export const TEMPLATE_DATABASE = 'anomalyze_template'

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { adminUrl: string; templateDatabase: string }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-test-pg-'))
  // The cluster may run as the `postgres` user (when tests run as root).
  chmodSync(dir, 0o755)
  const postgres = await startEmbeddedPostgres({ dir, port: await findFreePort(), ephemeral: true })
  await ensureDatabase(postgres.adminUrl, TEMPLATE_DATABASE)
  await migrateDatabase(postgres.urlFor(TEMPLATE_DATABASE))
  project.provide('postgres', { adminUrl: postgres.adminUrl, templateDatabase: TEMPLATE_DATABASE })
  return async () => {
    await postgres.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
