import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')

/**
 * Applies the committed migrations (prisma/migrations) with `prisma migrate deploy`.
 * Idempotent: applied migrations are recorded in `_prisma_migrations` and skipped.
 */
export async function migrateDatabase(databaseUrl: string): Promise<string> {
  const script = path.join(repoRoot, 'scripts', 'prisma.mjs')
  const child = spawn(process.execPath, [script, 'migrate', 'deploy'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
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
