// Writes the next migration: the SQL that takes the last committed schema
// (git HEAD:prisma/schema.prisma) to the working prisma/schema.prisma.
//
//   pnpm db:diff add_feature_state
//
// `prisma migrate dev` needs a shadow database, which does not work with driver
// adapters. `migrate diff` between two schema files works, but Prisma's JS schema
// engine still wants a database connection, so a throwaway embedded Postgres is used.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts'
import { findFreePort } from '../net/find-free-port.ts'
import { childProcessEnv } from '../env.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const name = process.argv[2]
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: pnpm db:diff <migration_name>   (lowercase letters, digits and _)')
  process.exit(2)
}

const migrationsDir = path.join(root, 'prisma', 'migrations')
mkdirSync(migrationsDir, { recursive: true })
const existing = readdirSync(migrationsDir)
  .filter((d) => /^\d{4}_/.test(d))
  .sort()
const scratch = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-diff-'))
// The embedded server may run as the `postgres` user (when we are root): let it in.
chmodSync(scratch, 0o755)

let from = ['--from-empty']
if (existing.length > 0) {
  const previous = execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: root, encoding: 'utf8' })
  writeFileSync(path.join(scratch, 'previous.prisma'), previous)
  from = ['--from-schema-datamodel', path.join(scratch, 'previous.prisma')]
}

const postgres = await startEmbeddedPostgres({ dir: path.join(scratch, 'pg'), port: await findFreePort(), ephemeral: true })
try {
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'scripts', 'prisma.mjs'), 'migrate', 'diff', ...from, '--to-schema-datamodel', path.join(root, 'prisma', 'schema.prisma'), '--script'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: childProcessEnv({ DATABASE_URL: postgres.adminUrl }) },
  )
  if (result.status !== 0) process.exitCode = result.status ?? 1
  else {
    const sql = result.stdout.slice(result.stdout.indexOf('--'))
    if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
      console.error('No schema change since the last commit: nothing written.')
      process.exitCode = 1
    } else {
      const dir = path.join(migrationsDir, `${String(existing.length + 1).padStart(4, '0')}_${name}`)
      mkdirSync(dir)
      writeFileSync(path.join(dir, 'migration.sql'), sql)
      writeFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n')
      console.log(`Wrote ${path.relative(root, dir)}/migration.sql`)
    }
  }
} finally {
  await postgres.stop()
  rmSync(scratch, { recursive: true, force: true })
}
