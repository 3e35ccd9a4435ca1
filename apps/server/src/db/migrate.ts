import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { childProcessEnv } from '../env.ts'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')

/**
 * Applies the committed migrations (prisma/migrations) with `prisma migrate deploy`.
 * Idempotent: applied migrations are recorded in `_prisma_migrations` and skipped.
 */
export async function migrateDatabase(databaseUrl: string): Promise<string> {
  const script = path.join(repoRoot, 'scripts', 'prisma.mjs')
  const child = spawn(process.execPath, [script, 'migrate', 'deploy'], {
    cwd: repoRoot,
    env: childProcessEnv({ DATABASE_URL: databaseUrl }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  if (code !== 0) throw new Error(`prisma migrate deploy failed (exit ${code}):\n${output.trim()}`)
  return output
}

/**
 * Migrates only when the database lacks a committed migration. Starting the Prisma
 * CLI costs seconds; reading `_prisma_migrations` costs milliseconds, and most starts
 * find nothing to do.
 */
export async function migrateIfNeeded(databaseUrl: string): Promise<string[]> {
  const pending = await pendingMigrations(databaseUrl)
  if (pending.length > 0) await migrateDatabase(databaseUrl)
  return pending
}

async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const committed = readdirSync(path.join(repoRoot, 'prisma', 'migrations')).filter((name) => /^\d{4}_/.test(name))
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const table = await client.query(`SELECT to_regclass('public._prisma_migrations') AS name`)
    if (!table.rows[0]?.name) return committed
    const applied = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    )
    const done = new Set(applied.rows.map((row) => row.migration_name))
    return committed.filter((name) => !done.has(name))
  } finally {
    await client.end()
  }
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name "${database}"`)
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${database}${template ? ` TEMPLATE ${template}` : ''}`)
    }
  } finally {
    await client.end()
  }
}
