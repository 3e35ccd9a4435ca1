import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { ensureDatabase } from '../../src/db/migrate.ts'
import { createPrismaClient, type Db } from '../../src/db/prisma.ts'

export interface TestDatabase {
  url: string
  db: Db
  drop(): Promise<void>
}

/** A fresh, migrated database of its own, cloned from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl, templateDatabase } = inject('postgres')
  const name = `test_${randomBytes(6).toString('hex')}`
  await ensureDatabase(adminUrl, name, templateDatabase)
  const url = adminUrl.replace(/\/postgres$/, `/${name}`)
  const db = createPrismaClient(url, 5)
  return {
    url,
    db,
    async drop() {
      await db.$disconnect()
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}

export function adminUrl(): string {
  return inject('postgres').adminUrl
}
