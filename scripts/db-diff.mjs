#!/usr/bin/env node
// Writes the next migration: the SQL that takes the last committed schema
// (git HEAD:prisma/schema.prisma) to the working prisma/schema.prisma.
//
//   pnpm db:diff add_feature_state
//
// `prisma migrate dev` needs a shadow database, which does not work with driver
// adapters; `migrate diff` between two schema files needs no database at all.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const name = process.argv[2]
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: pnpm db:diff <migration_name>   (lowercase letters, digits and _)')
  process.exit(2)
}

const migrationsDir = path.join(root, 'prisma', 'migrations')
mkdirSync(migrationsDir, { recursive: true })
const existing = readdirSync(migrationsDir).filter((d) => /^\d{4}_/.test(d)).sort()

let from = ['--from-empty']
if (existing.length > 0) {
  const previous = execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: root, encoding: 'utf8' })
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'anomalyze-schema-')), 'schema.prisma')
  writeFileSync(file, previous)
  from = ['--from-schema-datamodel', file]
}

const result = spawnSync(
  process.execPath,
  [path.join(root, 'scripts', 'prisma.mjs'), 'migrate', 'diff', ...from,
    '--to-schema-datamodel', path.join(root, 'prisma', 'schema.prisma'), '--script'],
  { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
)
if (result.status !== 0) process.exit(result.status ?? 1)
const sql = result.stdout.slice(result.stdout.indexOf('--'))
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.error('No schema change since the last commit: nothing written.')
  process.exit(1)
}
const number = String(existing.length + 1).padStart(4, '0')
const dir = path.join(migrationsDir, `${number}_${name}`)
mkdirSync(dir)
writeFileSync(path.join(dir, 'migration.sql'), sql)
writeFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'provider = "postgresql"\n')
console.log(`Wrote ${path.relative(root, dir)}/migration.sql`)
