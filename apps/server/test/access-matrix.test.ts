import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RULE_SET } from '@anomalyze/shared/engine'
import { startApp, type RunningApp } from '../src/app/start-app.ts'
import { loadEnv } from '../src/env.ts'
import { API_KEY_SCOPES, type ApiKeyScope } from '../src/services/api-keys/api-key-format.ts'
import { resolveSession } from '../src/services/organizations/resolve-session.ts'
import { appRouter } from '../src/trpc/app-router.ts'
import { createAccessOrganization, type AccessOrganization } from './helpers/access-organization.ts'
import { createClerkTestInstance, type ClerkTestInstance } from './helpers/clerk-tokens.ts'
import { testLogger } from './helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts'

/**
 * Issue #19, point 5: who may call what, as a table. Every procedure and every plain
 * route x every kind of caller, through the real HTTP server and the real Clerk
 * verification path (@clerk/backend on tokens with `org_id`/`org_role` claims):
 *
 * - foreign:    the admin of another organisation, aiming at this organisation's rows
 * - viewer, analyst, admin: members of the organisation (Clerk `org:viewer`, `org:member`, `org:admin`)
 * - key+:       an API key of the organisation holding only the scope the call needs
 *               (for a people-only call: a key holding every scope)
 * - key-:       an API key of the organisation holding every scope but that one
 *
 * The expectations are written out here, not computed from auth/permissions.ts: a
 * wrong entry there fails a cell. A procedure without a row fails the first test.
 */

const ACME = 'org_2acme'
const OTHER = 'org_2other'

/** Allowed: neither 401 nor 403 (a business answer such as NOT_FOUND for a made-up id, or billing UNAVAILABLE, is fine). */
const OK = 'ok'
/** 403 FORBIDDEN, naming the role a member lacks or the scope a key lacks. */
const NO = 'forbidden'
/** Allowed, but the organisation's row is not found (404 NOT_FOUND). */
const NF = 'not-found'
/** Allowed, and the answer holds none of the organisation's rows (that an allowed member does see). */
const HIDDEN = 'hidden'
/** Allowed, acting on the caller's own organisation only. */
const OWN = 'own'

type Cell = typeof OK | typeof NO | typeof NF | typeof HIDDEN | typeof OWN
const KINDS = ['foreign', 'viewer', 'analyst', 'admin', 'key+', 'key-'] as const
type Kind = (typeof KINDS)[number]
type Cells = [foreign: Cell, viewer: Cell, analyst: Cell, admin: Cell, keyWith: Cell, keyWithout: Cell]

/** What an API key needs: a scope, nothing (any key of the organisation), or it may not call at all. */
type KeyRule = ApiKeyScope | 'any key' | 'people only'

interface Row {
  cells: Cells
  key: KeyRule
  /** A valid input for this caller (so a refusal is about access, never about input). */
  input?: (kind: Kind, org: AccessOrganization) => unknown
  /** Whether the answer shows the organisation's rows: true for its members, false for the foreign caller. */
  sees?: (data: any, org: AccessOrganization) => boolean
}

const row = (cells: Cells, key: KeyRule, more: Omit<Row, 'cells' | 'key'> = {}): Row => ({ cells, key, ...more })

const ids = (items: { id: string }[]): string[] => items.map((item) => item.id)

const settingsInput = (org: AccessOrganization) => ({
  email: 'alerts@acme.example',
  phone: org.phone,
  emailEnabled: true,
  smsEnabled: true,
  phoneEnabled: false,
  minSeverityForEmail: 'HIGH',
  minSeverityForSms: 'HIGH',
  minSeverityForCall: 'CRITICAL',
  quietHoursStart: null,
  quietHoursEnd: null,
  timeZone: 'UTC',
  dailyDigest: false,
  monthlyReportEmail: false,
})

/** Ids of the organisation's that the foreign caller aims at; members get made-up ones where the real action would be heavy. */
const forForeign = <T>(kind: Kind, theirs: T, ours: T): T => (kind === 'foreign' ? theirs : ours)

// prettier-ignore
const PROCEDURES: Record<string, Row> = {
  //                                 foreign  viewer analyst admin  key+  key-
  'me.get':                     row([HIDDEN,  OK,    OK,     OK,    OK,   OK], 'any key', { sees: (d) => d.org.id === ACME }),

  'anomalies.list':             row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: () => ({}), sees: (d, o) => ids(d.items).includes(o.anomalyIds[0]!) }),
  'anomalies.get':              row([NF,      OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: (_, o) => ({ id: o.anomalyIds[0] }) }),
  'anomalies.history':          row([NF,      OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: (_, o) => ({ id: o.anomalyIds[0] }) }),
  'transactions.list':          row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'transactions:read', { input: (_, o) => ({ accountId: o.accountId }), sees: (d, o) => ids(d.items).includes(o.transactionIds[0]!) }),
  'transactions.get':           row([NF,      OK,    OK,     OK,    OK,   NO], 'transactions:read', { input: (_, o) => ({ id: o.transactionIds[0] }) }),
  'entities.profile':           row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'transactions:read', { input: (_, o) => ({ type: 'ACCOUNT', id: o.accountId }), sees: (d) => d.transactionCount > 0 }),
  'entities.transactions':      row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'transactions:read', { input: (_, o) => ({ type: 'ACCOUNT', id: o.accountId }), sees: (d, o) => ids(d.items).includes(o.transactionIds[0]!) }),
  // Figures of the caller's own organisation (the matrix's has no cases: zeros either way).
  'team.metrics':               row([OWN,     OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: () => ({ days: 30 }) }),
  'caseSettings.get':           row([OWN,     OK,    OK,     OK,    OK,   NO], 'anomalies:read'),
  'caseSettings.update':        row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ roundRobin: false }) }),
  // An analyst for themself, an admin for anyone; a key is refused in the service (on duty is a person's say); the foreign admin's organisation has no such member.
  'caseSettings.setOnDuty':     row([NF,      NO,    OK,     OK,    NO,   NO], 'people only', { input: () => ({ userId: 'user_2analyst', onDuty: true }) }),
  // The matrix's organisation has no case: members aim at made-up ids (NOT_FOUND is an answer, not a refusal).
  // Tenant isolation of cases (foreign cursors, merging across organisations) is tested in cases*.test.ts.
  'cases.pull':                 row([OWN,     OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: () => ({ cursor: null, limit: 100 }) }),
  'cases.list':                 row([OWN,     OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: () => ({ queue: 'all' }) }),
  'cases.get':                  row([NF,      OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: () => ({ id: 'case-matrix-none' }) }),
  'cases.push':                 row([OWN,     NO,    OK,     OK,    OK,   NO], 'anomalies:write', {
    input: () => ({ actions: [{ mutationId: randomUUID(), caseId: 'case-matrix-none', at: Date.now(), kind: 'comment', text: 'matrix' }] }),
  }),
  'cases.open':                 row([OWN,     NO,    OK,     OK,    OK,   NO], 'anomalies:write', { input: (kind) => ({ entityType: 'MERCHANT', entityId: `matrix-${kind}`, anomalyIds: [] }) }),
  'cases.merge':                row([NF,      NO,    OK,     OK,    OK,   NO], 'anomalies:write', { input: () => ({ intoId: 'case-matrix-a', fromIds: ['case-matrix-b'] }) }),
  'cases.split':                row([NF,      NO,    OK,     OK,    OK,   NO], 'anomalies:write', { input: (_, o) => ({ caseId: 'case-matrix-none', anomalyIds: [o.anomalyIds[0]] }) }),
  'sync.pull':                  row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: () => ({ cursor: null, limit: 100 }), sees: (d, o) => ids(d.anomalies).includes(o.anomalyIds[0]!) }),
  'sync.push':                  row([OWN,     NO,    OK,     OK,    OK,   NO], 'anomalies:write', {
    // The foreign caller aims at an anomaly nobody else decides: checked untouched at the end.
    input: (kind, o) => ({ decisions: [{ mutationId: randomUUID(), anomalyId: forForeign(kind, o.anomalyIds[2], o.anomalyIds[0]), label: 'NEEDS_REVIEW', decidedAt: Date.now() }] }),
  }),
  'ingest.transactions':        row([OWN,     NO,    OK,     OK,    OK,   NO], 'ingest:write', {
    input: (kind) => ({ transactions: [{ txId: `matrix-${kind}-${randomUUID()}`, timestamp: Date.now(), amount: 12.5, accountId: 'matrix-acct', merchantId: 'M1' }] }),
  }),

  'reports.create':             row([OWN,     NO,    OK,     OK,    OK,   NO], 'anomalies:read', { input: () => ({ type: 'ANOMALIES', format: 'CSV' }) }),
  'reports.list':               row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: () => ({}), sees: (d, o) => ids(d).includes(o.reportId) }),
  // Months of the caller's own organisation's data (tenant-isolation.test.ts plants a month only A has).
  'reports.defaults':           row([OWN,     OK,    OK,     OK,    OK,   NO], 'anomalies:read'),
  'reports.get':                row([NF,      OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: (_, o) => ({ id: o.reportId }) }),
  'reports.downloadUrl':        row([NF,      OK,    OK,     OK,    OK,   NO], 'anomalies:read', { input: (_, o) => ({ id: o.reportId }) }),

  'batchJobs.list':             row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'ingest:write', { input: () => ({}), sees: (d, o) => ids(d).includes(o.batchJobId) }),
  'batchJobs.get':              row([NF,      OK,    OK,     OK,    OK,   NO], 'ingest:write', { input: (_, o) => ({ id: o.batchJobId }) }),
  'batchJobs.errorsDownload':   row([NF,      OK,    OK,     OK,    OK,   NO], 'ingest:write', { input: (_, o) => ({ id: o.batchJobId }) }),

  'models.list':                row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'models:read', { sees: (d, o) => ids(d.versions).includes(o.modelId) }),
  'models.active':              row([OWN,     OK,    OK,     OK,    OK,   NO], 'anomalies:read'),
  // Replays the organisation's transactions and returns them (txId, amount, merchant):
  // people only, as before organisations; `models:read` was documented to cover the
  // registry's list and the training jobs only (api-key-format.ts).
  'models.previewCandidate':    row([NF,      OK,    OK,     OK,    NO,   NO], 'people only', { input: (kind, o) => ({ modelId: forForeign(kind, o.modelId, randomUUID()) }) }),
  'models.register':            row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ manifest: '{}', onnxBase64: 'AA==', treesBase64: 'AA==' }) }),
  'models.activate':            row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: (kind) => ({ version: forForeign(kind, '1.0.0', '9.9.9') }) }),
  'models.rollback':            row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: (kind) => ({ version: forForeign(kind, '1.0.0', '9.9.9') }) }),
  // The organisation's own setting: a foreign admin reads and sets its own organisation's.
  'models.settings':            row([OWN,     OK,    OK,     OK,    OK,   NO], 'models:read'),
  'models.setAutoActivate':     row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ enabled: false }) }),
  'training.start':             row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only'),
  'training.list':              row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'models:read', { input: () => ({}), sees: (d, o) => ids(d).includes(o.trainingJobId) }),
  'training.get':               row([NF,      OK,    OK,     OK,    OK,   NO], 'models:read', { input: (_, o) => ({ id: o.trainingJobId }) }),

  'audit.list':                 row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { input: () => ({ limit: 200 }), sees: (d, o) => d.items.some((i: { action: string }) => i.action === o.auditAction) }),
  'audit.facets':               row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { sees: (d, o) => d.actions.includes(o.auditAction) }),

  'apiKeys.create':             row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: (kind) => ({ name: `matrix ${kind}`, scopes: ['anomalies:read'] }) }),
  'apiKeys.list':               row([HIDDEN,  NO,    NO,     OK,    NO,   NO], 'people only', { sees: (d) => d.some((k: { name: string }) => k.name === 'key anomalies:read') }),
  'apiKeys.revoke':             row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ id: spareKeyId }) }),

  'members.list':               row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { sees: (d) => d.some((m: { userId: string }) => m.userId === 'user_2viewer') }),
  // Clerk mode: people join through Clerk's invitations, so adding answers CONFLICT (not an access error).
  'members.add':                row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ name: 'Priya', role: 'analyst' }) }),
  'members.changeRole':         row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ userId: 'user_2viewer', role: 'viewer' }) }),
  'members.remove':             row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ userId: 'user_2leaver' }) }),

  'billing.overview':           row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { sees: (d) => d.entitlements.planId === 'business' }),
  'billing.invoices':           row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { sees: (d, o) => ids(d).includes(o.invoiceId) }),
  'billing.invoiceDownload':    row([NF,      OK,    OK,     OK,    NO,   NO], 'people only', { input: (_, o) => ({ id: o.invoiceId }) }),
  // Billing is not configured here: these answer UNAVAILABLE or NOT_FOUND once past the access check.
  'billing.subscribe':          row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ planId: 'pro' }) }),
  'billing.changePlan':         row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ planId: 'pro' }) }),
  'billing.cancel':             row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ atPeriodEnd: true }) }),

  'notifications.settings':     row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { sees: (d, o) => d.phone === o.phone }),
  'notifications.updateSettings': row([OWN,   NO,    NO,     OK,    NO,   NO], 'people only', { input: (_, o) => settingsInput(o) }),
  'notifications.deliveries':   row([NF,      OK,    OK,     OK,    NO,   NO], 'people only', { input: (_, o) => ({ anomalyId: o.anomalyIds[0] }) }),
  'notifications.sendTest':     row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ channel: 'EMAIL' }) }),

  // Rules as data (#21): reading needs a member (a key would read the detection logic); lists are live, so changing one is an admin's.
  'lists.list':                 row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { sees: (d) => ids(d).includes(matrixListId) }),
  'lists.entries':              row([NF,      OK,    OK,     OK,    NO,   NO], 'people only', { input: () => ({ listId: matrixListId }), sees: (d) => d.items.some((e: { value: string }) => e.value === 'matrix-acct') }),
  'lists.create':               row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: (kind) => ({ name: `matrix ${kind}`, kind: 'DENY', field: 'account_id' }) }),
  'lists.addEntries':           row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: (kind) => ({ listId: matrixListId, entries: [{ value: `added-by-${kind}` }] }) }),
  'lists.importCsv':            row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: (kind) => ({ listId: matrixListId, csv: `imported-by-${kind}\n` }) }),
  'lists.removeEntries':        row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: (kind) => ({ listId: matrixListId, ids: [`entry-of-${kind}`] }) }),
  // The admin deletes a spare list (the foreign admin aims at the one the other rows use: checked kept at the end).
  'lists.delete':               row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: (kind) => ({ id: forForeign(kind, matrixListId, spareListId) }) }),

  // Rules: members read, analysts draft, admins publish; the organisation's draft, version 1 and suppressed alert are made in beforeAll.
  'rules.list':                 row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { sees: (d) => d.drafts.some((r: { name: string }) => r.name === 'MATRIX_DRAFT') }),
  'rules.check':                row([OWN,     OK,    OK,     OK,    NO,   NO], 'people only', { input: () => ({ expression: 'account_id in list("matrix list")' }) }),
  'rules.inForce':              row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { sees: (d) => d.version === 1 && d.lists.some((l: { name: string }) => l.name === 'matrix list') }),
  'rules.versions':             row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { sees: (d) => d.some((v: { comment: string }) => v.comment === 'matrix version') }),
  'rules.version':              row([NF,      OK,    OK,     OK,    NO,   NO], 'people only', { input: () => ({ version: 1 }) }),
  'rules.suppressed':           row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { input: () => ({}), sees: (d) => ids(d.items).includes(matrixSuppressedId) }),
  'rules.saveDraft':            row([OWN,     NO,    OK,     OK,    NO,   NO], 'people only', {
    input: (kind) => ({ rule: { name: `MATRIX_${kind.replace(/[^a-z]/g, '_')}`, expression: 'amount > 1000000', mode: 'SHADOW' } }),
  }),
  // The foreign admin aims at the organisation's draft; the analyst at a made-up id; the admin deletes a spare draft.
  'rules.deleteDraft':          row([NF,      NO,    OK,     OK,    NO,   NO], 'people only', {
    input: (kind) => ({ id: kind === 'foreign' ? matrixDraftId : kind === 'admin' ? spareDraftId : 'draft-matrix-none' }),
  }),
  // Never backtested: the admin's publish is refused with CONFLICT (not an access error); nobody else gets that far.
  'rules.publish':              row([OWN,     NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ comment: 'matrix publish' }) }),
  'rules.rollback':             row([NF,      NO,    NO,     OK,    NO,   NO], 'people only', { input: () => ({ version: 1, comment: 'matrix rollback' }) }),

  // get and latest before start: the organisation's latest backtest is then the one made in beforeAll.
  'ruleBacktests.get':          row([NF,      OK,    OK,     OK,    NO,   NO], 'people only', { input: () => ({ id: matrixBacktestId }) }),
  'ruleBacktests.latest':       row([HIDDEN,  OK,    OK,     OK,    NO,   NO], 'people only', { input: () => ({}), sees: (d) => d?.id === matrixBacktestId }),
  'ruleBacktests.start':        row([OWN,     NO,    OK,     OK,    NO,   NO], 'people only', {
    input: () => ({ rules: [{ name: 'MATRIX_RULE', expression: 'amount > 1000000', mode: 'SHADOW' }], days: 1 }),
  }),
}

/** Plain routes authenticated like tRPC (authenticateRoute): same caller kinds, same cells. */
// prettier-ignore
const ROUTES: Record<string, Row> = {
  //                                 foreign  viewer analyst admin  key+  key-
  'GET /sync/pull':             row([HIDDEN,  OK,    OK,     OK,    OK,   NO], 'anomalies:read', { sees: (d, o) => ids(d.anomalies).includes(o.anomalyIds[0]!) }),
  'POST /batch-jobs':           row([OWN,     NO,    OK,     OK,    OK,   NO], 'ingest:write'),
}

/**
 * Plain routes that take no bearer credential: a signed link, a provider's signature, or
 * nothing (they show no tenant data). Whoever calls, with whatever token, gets the same.
 */
const UNAUTHENTICATED_ROUTES = [
  'GET /health',
  'GET /anomalies/:id',
  'GET /cases/:id',
  'GET /files/*',
  'POST /webhooks/razorpay',
  'POST /webhooks/twilio/status',
  'POST /webhooks/twilio/voice/ack',
]

/** The key whose revocation the matrix's apiKeys.revoke row performs (created in beforeAll). */
let spareKeyId = ''
/** The organisation's list the lists rows use, the one lists.delete removes, and its backtest (made in beforeAll). */
let matrixListId = ''
let spareListId = ''
let matrixBacktestId = ''
/** The organisation's draft rules (one for the foreign admin to aim at, one the admin deletes) and its suppressed alert. */
let matrixDraftId = ''
let spareDraftId = ''
let matrixSuppressedId = ''

describe('access matrix: every procedure and plain route x every kind of caller (real HTTP, real Clerk verification)', () => {
  let database: TestDatabase
  let app: RunningApp
  let clerk: ClerkTestInstance
  let org: AccessOrganization
  const tokens = new Map<string, string>()
  /** Secrets by name: `only:<scope>`, `all-but:<scope>`, `all`. */
  const keys = new Map<string, string>()

  const mint = (sub: string, orgId: string, role: string): Promise<string> =>
    clerk.mint({ sub, exp: Math.floor(Date.now() / 1000) + 3_600, ...({ org_id: orgId, org_role: role, org_slug: orgId } as object) })

  beforeAll(async () => {
    database = await createTestDatabase()
    clerk = await createClerkTestInstance()
    app = await startApp(
      loadEnv({
        DATABASE_URL: database.url,
        ANOMALYZE_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'anomalyze-matrix-')),
        PORT: '0',
        CLERK_JWT_KEY: clerk.publicKeyPem,
        CLERK_ISSUER: clerk.issuer,
      }),
      testLogger,
    )
    org = await createAccessOrganization(app.db, app.services.storage, ACME)
    tokens.set('admin', await mint('user_2admin', ACME, 'org:admin'))
    tokens.set('analyst', await mint('user_2analyst', ACME, 'org:member'))
    tokens.set('viewer', await mint('user_2viewer', ACME, 'org:viewer'))
    tokens.set('leaver', await mint('user_2leaver', ACME, 'org:member'))
    tokens.set('foreign', await mint('user_2foreign', OTHER, 'org:admin'))
    // First sight of each person admits them to their organisation (resolve-session.ts).
    for (const who of ['admin', 'analyst', 'viewer', 'leaver', 'foreign']) {
      const response = await trpc('me.get', tokens.get(who)!)
      expect(response.status, who).toBe(200)
    }
    const create = async (name: string, scopes: readonly string[]): Promise<{ id: string; secret: string }> => {
      const response = await trpc('apiKeys.create', tokens.get('admin')!, { name, scopes })
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.result.data
    }
    for (const scope of API_KEY_SCOPES) {
      keys.set(`only:${scope}`, (await create(`key ${scope}`, [scope])).secret)
      keys.set(
        `all-but:${scope}`,
        (
          await create(
            `key all but ${scope}`,
            API_KEY_SCOPES.filter((s) => s !== scope),
          )
        ).secret,
      )
    }
    keys.set('all', (await create('key all scopes', API_KEY_SCOPES)).secret)
    spareKeyId = (await create('key to revoke', ['ingest:write'])).id
    const list = await app.db.ruleList.create({
      data: {
        orgId: ACME,
        name: 'matrix list',
        kind: 'DENY',
        field: 'account_id',
        createdById: 'user_2admin',
        entries: { create: { value: 'matrix-acct', addedById: 'user_2admin' } },
      },
    })
    matrixListId = list.id
    spareListId = (
      await app.db.ruleList.create({ data: { orgId: ACME, name: 'matrix spare list', kind: 'ALLOW', field: 'account_id', createdById: 'user_2admin' } })
    ).id
    const backtest = await app.db.ruleBacktest.create({
      data: { orgId: ACME, rules: [], days: 1, status: 'FAILED', failureReason: 'made by the access matrix', createdById: 'user_2admin' },
    })
    matrixBacktestId = backtest.id
    const draft = (name: string) =>
      app.db.rule.create({ data: { orgId: ACME, name, expression: 'amount > 1000000', mode: 'SHADOW', updatedById: 'user_2admin' } })
    matrixDraftId = (await draft('MATRIX_DRAFT')).id
    spareDraftId = (await draft('MATRIX_SPARE_DRAFT')).id
    await app.db.ruleSetVersion.create({
      data: { orgId: ACME, version: 1, rules: DEFAULT_RULE_SET.rules.map((rule) => ({ ...rule })), comment: 'matrix version', publishedById: 'user_2admin' },
    })
    const suppressedTransaction = await app.db.transaction.create({
      data: {
        orgId: ACME,
        txId: 'matrix-suppressed-tx',
        timestamp: new Date(Date.UTC(2026, 0, 5, 12)),
        amount: 50,
        currency: 'INR',
        accountId: 'matrix-allowed-acct',
        merchantId: 'M1',
        source: 'REALTIME_API',
      },
    })
    const suppressed = await app.db.suppressedAlert.create({
      data: {
        orgId: ACME,
        transactionId: suppressedTransaction.id,
        listName: 'matrix spare list',
        field: 'account_id',
        value: 'matrix-allowed-acct',
        reason: 'matrix',
        score: 0.8,
        severity: 'HIGH',
        ruleViolations: ['AMOUNT_SPIKE'],
        ruleSetVersion: 1,
        modelVersion: 'matrix',
      },
    })
    matrixSuppressedId = suppressed.id
    // Rows must have settled before sync.pull serves them (its cursor trails the clock by a second).
    await new Promise((resolve) => setTimeout(resolve, 1_100))
  })

  afterAll(async () => {
    await app?.stop()
    await database?.drop()
  })

  async function trpc(procedure: string, token: string | null, input?: unknown): Promise<{ status: number; body: any }> {
    const type = (appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)[procedure]?._def.type
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
    const encoded = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`
    const response =
      type === 'query'
        ? await fetch(`${app.url}/trpc/${procedure}${encoded}`, { headers })
        : await fetch(`${app.url}/trpc/${procedure}`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: input === undefined ? undefined : JSON.stringify(input),
          })
    return { status: response.status, body: await response.json() }
  }

  async function route(name: string, token: string | null): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
    if (name === 'GET /sync/pull') {
      const response = await fetch(`${app.url}/sync/pull?limit=100`, { headers })
      return { status: response.status, body: await response.json() }
    }
    if (name === 'POST /batch-jobs') {
      const csv = `txId,timestamp,amount,currency,accountId,merchantId\nbatch-${randomUUID()},2026-02-01T00:00:00Z,10,INR,matrix-acct,M1\n`
      const response = await fetch(`${app.url}/batch-jobs?fileName=matrix.csv`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/csv' },
        body: csv,
      })
      return { status: response.status, body: await response.json() }
    }
    throw new Error(`no way to call ${name}`)
  }

  /** The token a caller kind uses for a row: people by role, keys by the row's key rule. */
  function tokenFor(kind: Kind, key: KeyRule): string {
    if (kind !== 'key+' && kind !== 'key-') return tokens.get(kind)!
    if (key === 'people only') return keys.get(kind === 'key+' ? 'all' : 'all-but:anomalies:read')!
    if (key === 'any key') return keys.get(kind === 'key+' ? 'only:ingest:write' : 'all-but:ingest:write')!
    return keys.get(kind === 'key+' ? `only:${key}` : `all-but:${key}`)!
  }

  /** Why a cell's answer is not the expected one, or null when it is. */
  function judge(kind: Kind, cell: Cell, key: KeyRule, sees: Row['sees'], answer: { status: number; body: any }): string | null {
    // tRPC's envelope carries it in error.data.appError; plain routes answer { error: { code, message } } (http-errors.ts).
    const appError = answer.body?.error?.data?.appError ?? (typeof answer.body?.error?.code === 'string' ? answer.body.error : null)
    const said = `${answer.status} ${JSON.stringify(appError ?? answer.body).slice(0, 300)}`
    if (answer.body?.error?.data?.fieldErrors) return `input refused, so access was not tested: ${said}`
    if (answer.status >= 500 && answer.status !== 503) return `server error: ${said}`
    if (cell === NO) {
      if (answer.status !== 403 || appError?.code !== 'FORBIDDEN') return `expected 403 FORBIDDEN, got ${said}`
      const message: string = appError.message
      const expected =
        kind === 'key+' || kind === 'key-'
          ? key === 'people only'
            ? 'Sign in as a member to do this; API keys cannot'
            : `This key lacks the "${key}" scope`
          : new RegExp(`^This needs the (analyst|admin) role; you are an? ${kind} in this organisation$`)
      const matches = typeof expected === 'string' ? message === expected : expected.test(message)
      return matches ? null : `refused, but saying "${message}"`
    }
    if (answer.status === 401 || answer.status === 403) return `expected access, got ${said}`
    if (cell === NF) return answer.status === 404 && appError?.code === 'NOT_FOUND' ? null : `expected 404 NOT_FOUND, got ${said}`
    const data = answer.body?.result ? answer.body.result.data : answer.body
    if (cell === HIDDEN) {
      if (answer.status !== 200) return `expected an answer without the organisation's rows, got ${said}`
      if (!sees) return 'a HIDDEN cell needs a `sees` check'
      return sees(data, org) ? `sees the organisation's rows: ${JSON.stringify(data).slice(0, 300)}` : null
    }
    if (cell === OK && sees && answer.status < 300 && !sees(data, org))
      return `allowed, but does not see the organisation's rows: ${JSON.stringify(data).slice(0, 300)}`
    if (cell === OK && sees && answer.status >= 300) return `expected the organisation's rows, got ${said}`
    return null
  }

  // Refusals first, the admin (whose calls change things: revoke, remove) last.
  const ORDER: Kind[] = ['foreign', 'viewer', 'analyst', 'key+', 'key-', 'admin']

  it('has a row for every procedure the API offers, and no row for one it does not', () => {
    expect(Object.keys(PROCEDURES).sort()).toEqual(Object.keys(appRouter._def.procedures).sort())
  })

  it('has a row for every plain route the server serves', () => {
    const served = plainRoutesOf(app.server.printRoutes())
    expect(served.sort()).toEqual([...Object.keys(ROUTES), ...UNAUTHENTICATED_ROUTES].sort())
  })

  for (const [procedure, spec] of Object.entries(PROCEDURES)) {
    it(`${procedure}: ${spec.cells.join(' / ')}`, async () => {
      const failures: string[] = []
      for (const kind of ORDER) {
        const cell = spec.cells[KINDS.indexOf(kind)]!
        const answer = await trpc(procedure, tokenFor(kind, spec.key), spec.input?.(kind, org))
        const failure = judge(kind, cell, spec.key, spec.sees, answer)
        if (failure) failures.push(`${kind} (expected ${cell}): ${failure}`)
      }
      expect(failures).toEqual([])
    })
  }

  for (const [name, spec] of Object.entries(ROUTES)) {
    it(`${name}: ${spec.cells.join(' / ')}`, async () => {
      const failures: string[] = []
      for (const kind of ORDER) {
        const cell = spec.cells[KINDS.indexOf(kind)]!
        const failure = judge(kind, cell, spec.key, spec.sees, await route(name, tokenFor(kind, spec.key)))
        if (failure) failures.push(`${kind} (expected ${cell}): ${failure}`)
      }
      expect(failures).toEqual([])
    })
  }

  it('answers 401 to every procedure and authenticated route without a token', async () => {
    const failures: string[] = []
    for (const [procedure, spec] of Object.entries(PROCEDURES)) {
      const answer = await trpc(procedure, null, spec.input?.('admin', org))
      if (answer.status !== 401) failures.push(`${procedure}: ${answer.status}`)
    }
    for (const name of Object.keys(ROUTES)) {
      const answer = await route(name, null)
      if (answer.status !== 401) failures.push(`${name}: ${answer.status}`)
    }
    expect(failures).toEqual([])
  })

  it('serves a download link to whoever holds it, bearer or not, and nothing to a tampered one', async () => {
    const link = await trpc('reports.downloadUrl', tokens.get('viewer')!, { id: org.reportId })
    expect(link.status).toBe(200)
    const url = new URL(link.body.result.data.url as string)
    const tampered = new URL(url)
    tampered.searchParams.set('sig', `${url.searchParams.get('sig')!.slice(0, -2)}xx`)
    const otherKey = new URL(url)
    otherKey.pathname = `/files/orgs/${OTHER}/reports/anomalies.csv`
    for (const token of [null, tokens.get('foreign')!, tokens.get('viewer')!, keys.get('all')!]) {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
      const good = await fetch(`${app.url}${url.pathname}${url.search}`, { headers })
      expect(good.status).toBe(200)
      expect(await good.text()).toBe('id,severity\nA-1,HIGH\n')
      expect((await fetch(`${app.url}${tampered.pathname}${tampered.search}`, { headers })).status).toBe(403)
      // A signature is for one key: it does not open another organisation's file.
      expect((await fetch(`${app.url}${otherKey.pathname}${otherKey.search}`, { headers })).status).toBe(403)
    }
  })

  it("shows no organisation's data on the public routes, and takes no bearer token for a provider's signature", async () => {
    for (const token of [null, tokens.get('admin')!, tokens.get('foreign')!, keys.get('all')!]) {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
      expect((await fetch(`${app.url}/health`, { headers })).status).toBe(200)
      const page = await fetch(`${app.url}/anomalies/${org.anomalyIds[0]}`, { headers })
      expect(page.status).toBe(200)
      expect(await page.text()).not.toContain('far above')
      // A case notice's link page names the id it was given and nothing from the database.
      const casePage = await fetch(`${app.url}/cases/case-matrix-none`, { headers })
      expect(casePage.status).toBe(200)
      expect(await casePage.text()).toContain('anomalyze://case/case-matrix-none')
      for (const webhook of ['/webhooks/razorpay', '/webhooks/twilio/status', '/webhooks/twilio/voice/ack']) {
        const response = await fetch(`${app.url}${webhook}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' })
        expect(response.status, `${webhook} with ${token === null ? 'no token' : 'a token'}`).toBeGreaterThanOrEqual(400)
        expect(response.status, webhook).not.toBe(500)
      }
    }
  })

  it('refuses a member an admin removed, naming the organisation, even when Clerk still names it', async () => {
    // members.remove (admin) ran in the matrix on user_2leaver; make sure here, whatever the order.
    await trpc('members.remove', tokens.get('admin')!, { userId: 'user_2leaver' })
    for (const token of [tokens.get('leaver')!, await mint('user_2leaver', ACME, 'org:admin')]) {
      const answer = await trpc('me.get', token)
      expect(answer.status).toBe(403)
      expect(answer.body.error.data.appError).toMatchObject({ code: 'FORBIDDEN', message: `You are not a member of organisation ${ACME}` })
    }
    const pulled = await route('GET /sync/pull', tokens.get('leaver')!)
    expect(pulled.status).toBe(403)
    expect(pulled.body.error).toMatchObject({ code: 'FORBIDDEN', message: `You are not a member of organisation ${ACME}` })
  })

  it('refuses a local token naming an organisation its person is not a member of, naming it', async () => {
    await expect(resolveSession(app.db, { kind: 'user', userId: 'user_2viewer', via: 'local', org: { id: OTHER } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: `You are not a member of organisation ${OTHER}`,
    })
    // The same person in the organisation they do belong to: placed there with their role.
    await expect(resolveSession(app.db, { kind: 'user', userId: 'user_2viewer', via: 'local', org: { id: ACME } })).resolves.toMatchObject({
      orgId: ACME,
      role: 'VIEWER',
    })
  })

  it("left the organisation's rows alone when the foreign caller aimed at them", async () => {
    const aimedAt = await app.db.anomaly.findUniqueOrThrow({ where: { id: org.anomalyIds[2]! } })
    expect(aimedAt).toMatchObject({ orgId: ACME, status: 'OPEN' })
    expect(await app.db.anomalyLabel.count({ where: { anomalyId: org.anomalyIds[2]! } })).toBe(0)
    expect(await app.db.modelArtifact.findUniqueOrThrow({ where: { id: org.modelId } })).toMatchObject({ orgId: ACME, isActive: false })
    expect(await app.db.membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: ACME, userId: 'user_2viewer' } } })).toMatchObject({
      role: 'VIEWER',
      removedAt: null,
    })
    // Every key the foreign admin created is its own organisation's.
    const foreignKeys = await app.db.apiKey.findMany({ where: { name: 'matrix foreign' }, select: { orgId: true } })
    expect(foreignKeys).toEqual([{ orgId: OTHER }])
    // The list the foreign admin aimed at is whole; the list it created is its own organisation's.
    const values = await app.db.ruleListEntry.findMany({ where: { listId: matrixListId }, select: { value: true }, orderBy: { value: 'asc' } })
    expect(values.map((entry) => entry.value)).toEqual(['added-by-admin', 'imported-by-admin', 'matrix-acct'])
    const foreignLists = await app.db.ruleList.findMany({ where: { name: 'matrix foreign' }, select: { orgId: true } })
    expect(foreignLists).toEqual([{ orgId: OTHER }])
    // The draft the foreign admin saved is its own organisation's.
    const foreignDrafts = await app.db.rule.findMany({ where: { name: 'MATRIX_foreign' }, select: { orgId: true } })
    expect(foreignDrafts).toEqual([{ orgId: OTHER }])
  })
})

/**
 * "GET /path" for every route the server serves outside tRPC (`/trpc/...` is the
 * procedures' table), from Fastify's route tree (`printRoutes()`): one line a node,
 * indented four characters a level, "(GET, HEAD)" on the nodes that end a route; a
 * route's path is its ancestors' segments joined. (The flat listing, commonPrefix:
 * false, loses the prefix of a wildcard route such as /files/*.) HEAD is Fastify's own.
 */
function plainRoutesOf(tree: string): string[] {
  const routes: string[] = []
  const segments: string[] = []
  for (const line of tree.split('\n')) {
    const at = line.indexOf('── ')
    if (at < 0) continue
    const depth = (at - 1) / 4
    const match = /^(\S+)(?: \(([A-Z, ]+)\))?/.exec(line.slice(at + 3))
    if (!match) continue
    segments.length = depth
    segments[depth] = match[1]!
    const url = segments.join('')
    if (match[2] === undefined || url.startsWith('/trpc')) continue
    for (const method of match[2].split(', ')) if (method !== 'HEAD') routes.push(`${method} ${url}`)
  }
  return [...new Set(routes)]
}
