import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPrismaClient } from '../src/db/prisma.ts'
import { LEGACY_USERS, populateLegacyDatabase } from './helpers/migration-legacy-data.ts'
import { adminUrl } from './helpers/test-database.ts'

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations')
const ORGANIZATIONS_MIGRATION = '0008_organizations'

/** The tables that gained a foreign key to Organization (their "userId", now "orgId", pointed at User before). */
const ORG_FOREIGN_KEYS = [
  'Anomaly',
  'AnomalyLabel',
  'ApiKey',
  'ApiKeyUsage',
  'AuditLog',
  'BatchJob',
  'Invoice',
  'Membership',
  'ModelArtifact',
  'NotificationLog',
  'NotificationSettings',
  'PaymentLog',
  'Report',
  'SessionUsage',
  'Subscription',
  'TrainingJob',
  'Transaction',
]

interface TableShape {
  columns: string[]
  primaryKey: string[]
}

interface Fingerprint {
  rows: number
  checksum: string
}

/**
 * Issue #19, point 2: "a migration with nothing lost". A database is built from the
 * migrations before organisations (0001 to 0007), filled with every kind of row for
 * several users, and migrated with 0008. Every table's row count and a checksum of
 * its contents (the columns it had, "userId" read as "orgId") must be the same after.
 */
describe('migration 0008: organisations as the tenant, on a populated database', () => {
  let name: string
  let url: string
  let client: pg.Client
  let legacyShapes: Map<string, TableShape>
  let before: Map<string, Fingerprint>
  let after: Map<string, Fingerprint>

  beforeAll(async () => {
    name = `migrate_${randomBytes(6).toString('hex')}`
    await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`))
    url = adminUrl().replace(/\/postgres$/, `/${name}`)
    client = new pg.Client({ connectionString: url })
    await client.connect()

    const earlier = readdirSync(migrationsDir)
      .filter((entry) => /^\d{4}_/.test(entry) && entry < ORGANIZATIONS_MIGRATION)
      .sort()
    expect(earlier).toHaveLength(7)
    for (const migration of earlier) await client.query(readFileSync(path.join(migrationsDir, migration, 'migration.sql'), 'utf8'))

    await populateLegacyDatabase(client)
    legacyShapes = await tableShapes(client)
    before = await fingerprints(client, legacyShapes, (column) => column)

    await client.query(readFileSync(path.join(migrationsDir, ORGANIZATIONS_MIGRATION, 'migration.sql'), 'utf8'))
    after = await fingerprints(client, legacyShapes, (column) => (column === 'userId' ? 'orgId' : column))
  })

  afterAll(async () => {
    await client?.end()
    if (name) await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  })

  it('starts from a database with rows in every table, thousands of transactions among them', () => {
    expect([...legacyShapes.keys()].sort()).toEqual([
      'AccountFeatureState',
      'Anomaly',
      'AnomalyLabel',
      'ApiKey',
      'ApiKeyUsage',
      'AuditLog',
      'BatchJob',
      'Invoice',
      'MerchantFeatureState',
      'ModelArtifact',
      'NotificationLog',
      'NotificationSettings',
      'PaymentLog',
      'Plan',
      'RateLimitWindow',
      'Report',
      'Subscription',
      'TrainingJob',
      'Transaction',
      'User',
    ])
    for (const [table, fingerprint] of before) expect(fingerprint.rows, table).toBeGreaterThan(0)
    expect(before.get('Transaction')?.rows).toBeGreaterThanOrEqual(5_000)
    expect(before.get('User')?.rows).toBe(LEGACY_USERS.length)
  })

  it('keeps every row of every table, with the same contents', () => {
    for (const table of legacyShapes.keys()) {
      expect({ table, ...after.get(table) }).toEqual({ table, ...before.get(table) })
    }
  })

  it('has a checksum that does see a changed value (so equal checksums mean something)', async () => {
    await client.query('BEGIN')
    try {
      await client.query(`UPDATE "Transaction" SET "amount" = "amount" + 0.0001 WHERE "id" = 'user_2heavy-t-004321'`)
      const changed = await fingerprints(client, new Map([['Transaction', legacyShapes.get('Transaction')!]]), (c) => (c === 'userId' ? 'orgId' : c))
      expect(changed.get('Transaction')?.rows).toBe(before.get('Transaction')?.rows)
      expect(changed.get('Transaction')?.checksum).not.toBe(before.get('Transaction')?.checksum)
    } finally {
      await client.query('ROLLBACK')
    }
  })

  it('adds Organization, Membership and SessionUsage and renames every "userId" of a tenant table to "orgId"', async () => {
    const now = await tableShapes(client)
    expect([...now.keys()].sort()).toEqual([...legacyShapes.keys(), 'Membership', 'Organization', 'SessionUsage'].sort())
    for (const [table, shape] of legacyShapes) {
      if (!shape.columns.includes('userId')) continue
      expect(now.get(table)?.columns, table).toContain('orgId')
      expect(now.get(table)?.columns, table).not.toContain('userId')
    }
  })

  it("gives each user a personal organisation with the user's id, named after their name, e-mail or id", async () => {
    const { rows } = await client.query<{ id: string; name: string; personal: boolean }>(`SELECT "id", "name", "personal" FROM "Organization" ORDER BY "id"`)
    const expected = LEGACY_USERS.map((user) => ({ id: user.id, name: user.name || user.email || user.id, personal: true })).sort((a, b) =>
      a.id.localeCompare(b.id),
    )
    expect(rows).toEqual(expected)
    // The fallbacks are really exercised: one named after the e-mail, one after the id.
    expect(rows.find((row) => row.id === 'user_2mail')?.name).toBe('meera@example.com')
    expect(rows.find((row) => row.id === 'user_2blank')?.name).toBe('user_2blank')
  })

  it('makes each user the ADMIN of their organisation, and nothing more', async () => {
    const { rows } = await client.query<{ orgId: string; userId: string; role: string; removedAt: Date | null }>(
      `SELECT "orgId", "userId", "role", "removedAt" FROM "Membership" ORDER BY "orgId"`,
    )
    expect(rows).toEqual(
      LEGACY_USERS.map((user) => ({ orgId: user.id, userId: user.id, role: 'ADMIN', removedAt: null })).sort((a, b) => a.orgId.localeCompare(b.orgId)),
    )
  })

  it('records the one person of each account as the author of its decisions and the creator of its keys', async () => {
    const labels = await client.query<{ total: number; authored: number; superseded: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE "decidedById" = "orgId")::int AS authored, count("supersededAt")::int AS superseded FROM "AnomalyLabel"`,
    )
    expect(labels.rows[0]!.total).toBeGreaterThan(100)
    expect(labels.rows[0]).toEqual({ total: labels.rows[0]!.total, authored: labels.rows[0]!.total, superseded: 0 })
    const keys = await client.query<{ total: number; created: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE "createdById" = "orgId")::int AS created FROM "ApiKey"`,
    )
    expect(keys.rows[0]!.total).toBeGreaterThan(0)
    expect(keys.rows[0]!.created).toBe(keys.rows[0]!.total)
    const others = await client.query<{ activated: number; requested: number }>(
      `SELECT (SELECT count("activatedById") FROM "ModelArtifact")::int AS activated, (SELECT count("requestedById") FROM "Report")::int AS requested`,
    )
    expect(others.rows[0]).toEqual({ activated: 0, requested: 0 })
  })

  it('gives the plans their seats', async () => {
    const { rows } = await client.query<{ id: string; maxMembers: number }>(`SELECT "id", "maxMembers" FROM "Plan" ORDER BY "id"`)
    expect(rows).toEqual([
      { id: 'business', maxMembers: 50 },
      { id: 'free', maxMembers: 3 },
      { id: 'pro', maxMembers: 10 },
    ])
  })

  it('points the tenant foreign keys at Organization, and only Membership at User', async () => {
    const { rows } = await client.query<{ table: string; target: string; definition: string }>(
      `SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS target, pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid::regclass::text IN ('"Organization"', '"User"')`,
    )
    const toOrganization = rows.filter((row) => row.target === '"Organization"')
    expect(toOrganization.map((row) => row.table.replaceAll('"', '')).sort()).toEqual(ORG_FOREIGN_KEYS)
    for (const row of toOrganization) expect(row.definition, row.table).toMatch(/^FOREIGN KEY \("orgId"\) REFERENCES "Organization"\(id\)/)
    expect(rows.filter((row) => row.target === '"User"').map((row) => `${row.table} ${row.definition}`)).toEqual([
      '"Membership" FOREIGN KEY ("userId") REFERENCES "User"(id) ON UPDATE CASCADE ON DELETE CASCADE',
    ])
    // A row naming no organisation is refused.
    await expect(
      client.query(`INSERT INTO "BatchJob" ("id", "orgId", "fileName", "r2Key") VALUES ('stray', 'org_nobody', 'x.csv', 'x')`),
    ).rejects.toMatchObject({ code: '23503' })
  })

  it('keeps the audit trail append-only through the rename', async () => {
    await expect(client.query(`UPDATE "AuditLog" SET "action" = 'tampered' WHERE "orgId" = 'user_2heavy'`)).rejects.toMatchObject({ code: '42501' })
    await expect(client.query(`DELETE FROM "AuditLog" WHERE "orgId" = 'user_2heavy'`)).rejects.toMatchObject({ code: '42501' })
  })

  it('is read by the Prisma client of this checkout, once the migrations after 0008 have run too', async () => {
    // The client of this checkout knows every later column (cases, say): bring the
    // database up to date the way a deploy would, then read the migrated rows with it.
    const later = readdirSync(migrationsDir)
      .filter((entry) => /^\d{4}_/.test(entry) && entry > ORGANIZATIONS_MIGRATION)
      .sort()
    for (const migration of later) await client.query(readFileSync(path.join(migrationsDir, migration, 'migration.sql'), 'utf8'))
    const db = createPrismaClient(url, 2)
    try {
      const organizations = await db.organization.findMany({ include: { memberships: true }, orderBy: { id: 'asc' } })
      expect(organizations.map((org) => [org.id, org.memberships.map((m) => m.role)])).toEqual(
        LEGACY_USERS.map((user) => [user.id, ['ADMIN']]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      )
      const transactions = await db.transaction.findMany({ where: { orgId: 'user_2heavy' }, orderBy: { timestamp: 'asc' }, take: 3 })
      expect(transactions.map((t) => t.txId)).toEqual(['TX1', 'TX2', 'TX3'])
      const label = await db.anomalyLabel.findFirstOrThrow({ where: { orgId: 'user_2mail' }, include: { anomaly: true } })
      expect(label).toMatchObject({ decidedById: 'user_2mail', anomaly: { orgId: 'user_2mail' } })
      expect(await db.subscription.findUnique({ where: { orgId: 'user_2heavy' }, select: { planId: true } })).toEqual({ planId: 'pro' })
      expect(await db.auditLog.count({ where: { orgId: 'user_2blank' } })).toBe(25)
    } finally {
      await db.$disconnect()
    }
  })

  it("deletes an organisation's rows with it (audit rows included), unlinks its payment logs, and keeps the person", async () => {
    const org = 'user_2mail'
    const tenantTables = [...legacyShapes].filter(([, shape]) => shape.columns.includes('userId')).map(([table]) => table)
    const owned = async (): Promise<Record<string, number>> => {
      const counts: Record<string, number> = {}
      for (const table of tenantTables) {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "orgId" = $1`, [org])
        counts[table] = rows[0]!.n
      }
      return counts
    }
    const ownedBefore = await owned()
    // Feature states carry no foreign key (they are rewritten on every batch; see 0002): they stay.
    const cascading = tenantTables.filter((table) => !['AccountFeatureState', 'MerchantFeatureState'].includes(table))
    for (const table of cascading) expect(ownedBefore[table], table).toBeGreaterThan(0)
    const paymentLogs = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "PaymentLog"`)).rows[0]!.n

    await client.query(`DELETE FROM "Organization" WHERE "id" = $1`, [org])

    const ownedAfter = await owned()
    for (const table of cascading) expect(ownedAfter[table], table).toBe(0)
    expect((await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "PaymentLog"`)).rows[0]!.n).toBe(paymentLogs)
    expect((await client.query(`SELECT 1 FROM "PaymentLog" WHERE "id" = 'user_2mail-pl-1' AND "orgId" IS NULL`)).rowCount).toBe(1)
    expect((await client.query(`SELECT 1 FROM "User" WHERE "id" = $1`, [org])).rowCount).toBe(1)
    expect((await client.query(`SELECT 1 FROM "Membership" WHERE "orgId" = $1`, [org])).rowCount).toBe(0)
    // Nobody else's rows went with it.
    const heavy = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Transaction" WHERE "orgId" = 'user_2heavy'`)
    expect(heavy.rows[0]!.n).toBe(5_000)
  })
})

async function withAdmin<T>(run: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl() })
  await admin.connect()
  try {
    return await run(admin)
  } finally {
    await admin.end()
  }
}

/** Every table of the public schema: its columns in order and its primary key. */
async function tableShapes(client: pg.Client): Promise<Map<string, TableShape>> {
  const columns = await client.query<{ table: string; column: string }>(
    `SELECT c.table_name AS table, c.column_name AS column FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`,
  )
  const keys = await client.query<{ table: string; column: string }>(
    `SELECT cl.relname AS table, a.attname AS column FROM pg_index i
       JOIN pg_class cl ON cl.oid = i.indrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indisprimary AND n.nspname = 'public' ORDER BY cl.relname, k.position`,
  )
  const shapes = new Map<string, TableShape>()
  for (const row of columns.rows) {
    const shape = shapes.get(row.table) ?? { columns: [], primaryKey: [] }
    shape.columns.push(row.column)
    shapes.set(row.table, shape)
  }
  for (const row of keys.rows) shapes.get(row.table)?.primaryKey.push(row.column)
  return shapes
}

/**
 * Row count and md5 of every row's values (as a JSON array, so NULLs and text are told
 * apart), ordered by primary key, per table: over `shapes`' columns, each renamed by `rename`.
 */
async function fingerprints(client: pg.Client, shapes: Map<string, TableShape>, rename: (column: string) => string): Promise<Map<string, Fingerprint>> {
  const result = new Map<string, Fingerprint>()
  for (const [table, shape] of shapes) {
    expect(shape.primaryKey.length, `${table} has a primary key`).toBeGreaterThan(0)
    const quote = (column: string): string => `"${rename(column)}"`
    const { rows } = await client.query<Fingerprint>(
      `SELECT count(*)::int AS rows,
              md5(coalesce(string_agg(json_build_array(${shape.columns.map(quote).join(', ')})::text, E'\\n' ORDER BY ${shape.primaryKey.map(quote).join(', ')}), '')) AS checksum
         FROM "${table}"`,
    )
    result.set(table, rows[0]!)
  }
  return result
}
