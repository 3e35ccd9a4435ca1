import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminUrl } from './helpers/test-database.ts'

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations')
const CASES_MIGRATION = '0009_cases'
const HOUR = 3_600_000

/**
 * Issue #20: migration 0009 gives the alerts still waiting for a decision a case, one
 * per organisation and account, as ingestion would have. A database is built from the
 * migrations before it, filled with alerts of two organisations (one account id in
 * both), and migrated with 0009 a statement at a time, split on semicolons as Prisma's
 * runner splits it.
 */
describe('migration 0009: cases for the alerts already waiting', () => {
  let name: string
  let client: pg.Client
  const t0 = Date.UTC(2026, 4, 1, 8)

  beforeAll(async () => {
    name = `migrate_cases_${randomBytes(6).toString('hex')}`
    await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`))
    client = new pg.Client({ connectionString: adminUrl().replace(/\/postgres$/, `/${name}`) })
    await client.connect()
    const earlier = readdirSync(migrationsDir)
      .filter((entry) => /^\d{4}_/.test(entry) && entry < CASES_MIGRATION)
      .sort()
    for (const migration of earlier) await client.query(readFileSync(path.join(migrationsDir, migration, 'migration.sql'), 'utf8'))

    await client.query(`INSERT INTO "Organization" ("id", "name", "updatedAt") VALUES ('org_a', 'A', now()), ('org_b', 'B', now())`)
    const alerts: [org: string, id: string, account: string, severity: string, status: string, hoursAfter: number][] = [
      ['org_a', 'a-x-low-open', 'ACC-X', 'LOW', 'OPEN', 0],
      ['org_a', 'a-x-high-review', 'ACC-X', 'HIGH', 'NEEDS_REVIEW', 2],
      ['org_a', 'a-x-critical-decided', 'ACC-X', 'CRITICAL', 'CONFIRMED_FRAUD', 1],
      ['org_a', 'a-y-decided', 'ACC-Y', 'HIGH', 'FALSE_POSITIVE', 0],
      ['org_b', 'b-x-medium-open', 'ACC-X', 'MEDIUM', 'OPEN', 5],
    ]
    for (const [org, id, account, severity, status, hoursAfter] of alerts) {
      const at = new Date(t0 + hoursAfter * HOUR).toISOString()
      await client.query(
        `INSERT INTO "Transaction" ("id", "orgId", "txId", "timestamp", "amount", "currency", "accountId", "merchantId", "source", "createdAt")
         VALUES ($1, $2, $1, $3, 100, 'INR', $4, 'M1', 'REALTIME_API', $3)`,
        [`t-${id}`, org, at, account],
      )
      await client.query(
        `INSERT INTO "Anomaly" ("id", "orgId", "transactionId", "score", "severity", "ruleViolations", "explanation", "status", "createdAt", "updatedAt")
         VALUES ($1, $2, $3, 0.9, $4::"Severity", '{}', 'test', $5::"AnomalyStatus", $6, $6)`,
        [id, org, `t-${id}`, severity, status, at],
      )
    }
    const sql = readFileSync(path.join(migrationsDir, CASES_MIGRATION, 'migration.sql'), 'utf8')
    for (const statement of sql.split(';')) if (statement.replace(/--.*$/gm, '').trim() !== '') await client.query(statement)
  })

  afterAll(async () => {
    await client?.end()
    if (name) await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  })

  const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`

  it('opens one ACCOUNT case per organisation and account with undecided alerts, worst severity first, due from the oldest alert', async () => {
    const { rows } = await client.query(
      `SELECT "orgId", "entityType"::text, "entityId", "status"::text, "priority"::text, ${ms('"createdAt"')} AS "createdAt", ${ms('"dueAt"')} AS "dueAt",
              "assigneeId", "mergedIntoId"
       FROM "Case" ORDER BY "orgId"`,
    )
    expect(rows).toEqual([
      {
        orgId: 'org_a',
        entityType: 'ACCOUNT',
        entityId: 'ACC-X',
        status: 'OPEN',
        priority: 'HIGH',
        createdAt: t0,
        dueAt: t0 + 24 * HOUR,
        assigneeId: null,
        mergedIntoId: null,
      },
      {
        orgId: 'org_b',
        entityType: 'ACCOUNT',
        entityId: 'ACC-X',
        status: 'OPEN',
        priority: 'MEDIUM',
        createdAt: t0 + 5 * HOUR,
        dueAt: t0 + 5 * HOUR + 3 * 24 * HOUR,
        assigneeId: null,
        mergedIntoId: null,
      },
    ])
  })

  it('puts only the undecided alerts in their case, in their own organisation, and moves their updatedAt for the pull', async () => {
    const { rows } = await client.query(
      `SELECT a."id", c."orgId" AS "caseOrg", a."orgId", a."updatedAt" > a."createdAt" AS "bumped"
       FROM "Anomaly" a LEFT JOIN "Case" c ON c."id" = a."caseId" ORDER BY a."id"`,
    )
    expect(rows).toEqual([
      { id: 'a-x-critical-decided', caseOrg: null, orgId: 'org_a', bumped: false },
      { id: 'a-x-high-review', caseOrg: 'org_a', orgId: 'org_a', bumped: true },
      { id: 'a-x-low-open', caseOrg: 'org_a', orgId: 'org_a', bumped: true },
      { id: 'a-y-decided', caseOrg: null, orgId: 'org_a', bumped: false },
      { id: 'b-x-medium-open', caseOrg: 'org_b', orgId: 'org_b', bumped: true },
    ])
  })

  it('records who opened each case and which alerts it took, and leaves no work table behind', async () => {
    const { rows } = await client.query(
      `SELECT c."orgId", e."orgId" AS "eventOrg", e."kind", e."actorId", e."actorName", ${ms('e."at"')} AS "at", e."data"
       FROM "CaseEvent" e JOIN "Case" c ON c."id" = e."caseId" ORDER BY c."orgId", e."kind" DESC`,
    )
    expect(rows).toEqual([
      {
        orgId: 'org_a',
        eventOrg: 'org_a',
        kind: 'opened',
        actorId: null,
        actorName: 'Anomalyze',
        at: t0,
        data: { entityType: 'ACCOUNT', entityId: 'ACC-X', by: 'ingestion' },
      },
      {
        orgId: 'org_a',
        eventOrg: 'org_a',
        kind: 'alerts_added',
        actorId: null,
        actorName: 'Anomalyze',
        at: t0,
        data: { anomalyIds: ['a-x-low-open', 'a-x-high-review'], count: 2 },
      },
      {
        orgId: 'org_b',
        eventOrg: 'org_b',
        kind: 'opened',
        actorId: null,
        actorName: 'Anomalyze',
        at: t0 + 5 * HOUR,
        data: { entityType: 'ACCOUNT', entityId: 'ACC-X', by: 'ingestion' },
      },
      {
        orgId: 'org_b',
        eventOrg: 'org_b',
        kind: 'alerts_added',
        actorId: null,
        actorName: 'Anomalyze',
        at: t0 + 5 * HOUR,
        data: { anomalyIds: ['b-x-medium-open'], count: 1 },
      },
    ])
    const { rows: leftover } = await client.query(`SELECT to_regclass('public."_CaseBackfill"') AS name`)
    expect(leftover[0].name).toBeNull()
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
