import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { migrateDatabase } from '../src/db/migrate.ts'
import { adminUrl, createTestDatabase } from './helpers/test-database.ts'
import { snapshotSchema } from './helpers/schema-snapshot.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

/**
 * Prisma cannot introspect a database through a driver adapter here (see
 * docs/data-model.md), so the proof is by construction: build one database from the
 * committed migrations and one straight from prisma/schema.prisma, and compare
 * their catalogs. Any schema change without its migration makes them differ.
 */
describe('migrations', () => {
  const databases: Droppable[] = []
  afterAll(async () => {
    for (const database of databases) await database.drop()
  })

  it('produce exactly the schema in prisma/schema.prisma', async () => {
    const fromMigrations = await createTestDatabase()
    databases.push(fromMigrations)

    const fromSchema = await createEmptyDatabase()
    databases.push(fromSchema)
    const diff = spawnSync(
      process.execPath,
      [path.join(root, 'scripts/prisma.mjs'), 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', path.join(root, 'prisma/schema.prisma'), '--script'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: fromSchema.url } },
    )
    expect(diff.status, diff.stderr).toBe(0)
    const client = new pg.Client({ connectionString: fromSchema.url })
    await client.connect()
    await client.query(diff.stdout.slice(diff.stdout.indexOf('--')))
    await client.end()

    const expected = await snapshotSchema(fromSchema.url)
    const actual = await snapshotSchema(fromMigrations.url)
    expect(expected.length).toBeGreaterThan(100)
    expect(actual).toEqual(expected)
  })

  it('are idempotent: deploying again applies nothing', async () => {
    const database = await createTestDatabase()
    databases.push(database)
    const output = await migrateDatabase(database.url)
    expect(output).toMatch(/No pending migrations/i)
  })
})

interface Droppable {
  url: string
  drop(): Promise<void>
}

/** A database with nothing in it (not cloned from the migrated template). */
async function createEmptyDatabase(): Promise<Droppable> {
  const name = `empty_${Math.random().toString(36).slice(2, 10)}`
  const admin = new pg.Client({ connectionString: adminUrl() })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = adminUrl().replace(/\/postgres$/, `/${name}`)
  return {
    url,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl() })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}
