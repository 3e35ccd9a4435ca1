import { z } from 'zod'
import {
  ANOMALY_STATUSES,
  CASE_ENTITY_TYPES,
  CLOSED_CASE_STATUSES,
  LABEL_KINDS,
  MAX_COMMENT_LENGTH,
  MAX_ENTITY_PAGE,
  MAX_EXPRESSION_LENGTH,
  MAX_RULES_PER_SET,
  OPEN_CASE_STATUSES,
  SEVERITIES,
  ZRuleDefinition,
  zSafeText,
} from '@anomalyze/shared'
import { MAPPABLE_FIELDS } from '@anomalyze/shared/engine'
import type { Dashboard } from './dashboard.ts'
import type { DecideArgs, DecideResult, DecisionHistoryEntry, ReopenArgs, UndoResult } from './decisions.ts'
import {
  MAX_ROWS_PER_CALL,
  QUEUE_SORTS,
  type AnomalyDetail,
  type HistoryPoint,
  type QueueFacets,
  type QueueHead,
  type QueueHeadArgs,
  type QueueFilters,
  type QueueProgress,
  type QueueQuery,
  type QueueRow,
  type QueueSnapshot,
} from './queue.ts'
import { API_KEY_SCOPES, type ApiKey, type CreateApiKeyArgs, type CreatedApiKey } from './api-keys.ts'
import { CASE_QUEUES, type CaseActArgs, type CaseActResult, type CaseDetail, type CaseList, type CaseListArgs, type CaseListRow } from './cases.ts'
import type { EntityRefArgs, EntityTransactionsArgs, EntityTransactionsPage, EntityView } from './entity.ts'
import type { AddMemberArgs, AddedMember, Member } from './members.ts'
import { ROLES, type ProfileAnswer, type Role } from './profile.ts'
import type { CoreResult } from './result.ts'
import type {
  BadRowsPage,
  CsvInspection,
  ExportArgs,
  LocalBatch,
  RefitBatchArgs,
  ScoringAvailability,
  ScoringJob,
  ScoringSource,
  StartScoringArgs,
} from './scoring.ts'
import type { ConsoleConfig, ServerCallArgs, SignInArgs } from './session.ts'
import type { LocalBacktestArgs, LocalBacktestJob, LocalRuleSet, RuleCheckArgs, RuleCheckResult } from './rules.ts'
import type { SyncStatus } from './sync-status.ts'
import type { UploadBatchArgs, UploadedBatchJob, UploadProgress } from './upload.ts'

/**
 * One core method: the schema its arguments are parsed with (they arrive from IPC or
 * HTTP as untyped JSON) and, as types only, its arguments and its result.
 */
export interface CoreMethodSpec<Args, Result> {
  args: z.ZodType<Args>
  /** Never set: carries the method's types for `CoreArgs` / `CoreData`. */
  types?: { args: Args; result: Result }
}

/** `z.ZodType<Args>` checks that the schema parses to exactly what the method's type says. */
function method<Args, Result>(args: z.ZodType<Args>): CoreMethodSpec<Args, Result> {
  return { args }
}

type NoArgs = Record<string, never>
const empty = z.object({}).strict()

const filters = z
  .object({
    severities: z.array(z.enum(SEVERITIES)).optional(),
    statuses: z.array(z.enum(ANOMALY_STATUSES)).optional(),
    rule: z.string().max(100).optional(),
    amountMin: z.number().finite().optional(),
    amountMax: z.number().finite().optional(),
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    accountId: z.string().max(128).optional(),
    text: z.string().max(200).optional(),
    batchId: z.string().max(100).nullable().optional(),
    moved: z.boolean().optional(),
    overruled: z.boolean().optional(),
  })
  .strict()

const caseId = z.string().min(1).max(200)
const entityRef = { type: z.enum(CASE_ENTITY_TYPES), id: z.string().min(1).max(128) }
const caseAction = z.discriminatedUnion('kind', [
  z.object({ caseId, kind: z.literal('claim') }).strict(),
  z.object({ caseId, kind: z.literal('assign'), assigneeId: z.string().min(1).max(200) }).strict(),
  z.object({ caseId, kind: z.literal('unassign') }).strict(),
  z.object({ caseId, kind: z.literal('status'), status: z.enum(OPEN_CASE_STATUSES) }).strict(),
  z
    .object({
      caseId,
      kind: z.literal('comment'),
      text: z
        .string()
        .trim()
        .min(1, 'an empty comment is not saved')
        .max(MAX_COMMENT_LENGTH, `a comment is at most ${MAX_COMMENT_LENGTH.toLocaleString('en')} characters`),
    })
    .strict(),
  z.object({ caseId, kind: z.literal('close'), status: z.enum(CLOSED_CASE_STATUSES), note: z.string().max(2_000).optional() }).strict(),
])

const source = z.union([z.object({ path: z.string().min(1).max(4_096) }).strict(), z.object({ uploadId: z.string().min(1).max(100) }).strict()])
const mapping = z.partialRecord(z.enum(MAPPABLE_FIELDS), z.number().int().min(0).max(10_000))

/**
 * The one contract between renderer and core, and its only list of methods:
 * method name -> arguments (schema and type) -> result. Electron carries it over IPC,
 * the browser build over `POST /api/<method>`. The method list, `isCoreMethod`, the
 * argument parsing and the handler types all derive from this table.
 * @see src/core/api/create-handlers.ts for the implementation (a missing or extra method there is a type error).
 */
export const coreMethods = {
  'queue.snapshot': method<QueueQuery, QueueSnapshot>(z.object({ filters, sort: z.enum(QUEUE_SORTS) }).strict()),
  'queue.head': method<QueueHeadArgs, QueueHead>(
    z.object({ filters, sort: z.enum(QUEUE_SORTS), size: z.number().int().min(0).max(MAX_ROWS_PER_CALL) }).strict(),
  ),
  'queue.rows': method<{ keys: number[] }, QueueRow[]>(z.object({ keys: z.array(z.number().int()).max(1_000) }).strict()),
  'queue.facets': method<NoArgs, QueueFacets>(empty),
  'queue.progress': method<{ filters: QueueFilters }, QueueProgress>(z.object({ filters }).strict()),
  'anomaly.get': method<{ id: string }, AnomalyDetail>(z.object({ id: z.string().min(1) }).strict()),
  'account.history': method<{ accountId: string; limit?: number }, HistoryPoint[]>(
    z.object({ accountId: z.string().min(1), limit: z.number().int().min(1).max(500).optional() }).strict(),
  ),
  'decision.record': method<DecideArgs, DecideResult>(
    z
      .object({
        anomalyIds: z.array(z.string().min(1)).min(1).max(10_000),
        label: z.enum(LABEL_KINDS),
        note: z.string().max(2_000).optional(),
      })
      .strict(),
  ),
  'decision.undo': method<NoArgs, UndoResult>(empty),
  /**
   * Reopens an alert another person decided first: a decision based on their standing
   * one (it applies on the server), with a note saying why.
   */
  'decision.reopen': method<ReopenArgs, DecideResult>(
    z
      .object({
        anomalyId: z.string().min(1),
        label: z.enum(LABEL_KINDS),
        note: z.string().trim().min(1, 'say why the alert is reopened: a note is required').max(2_000),
        basedOn: z.string().min(1).max(200),
      })
      .strict(),
  ),
  /** Every decision on a synced alert, newest first, from the server (anomalies.history): it needs the server. */
  'decision.history': method<{ id: string }, DecisionHistoryEntry[]>(z.object({ id: z.string().min(1).max(200) }).strict()),
  /** A case queue (My cases, Unassigned, Escalated, Due soon / overdue, All) from the cache, with every queue's count. */
  'cases.list': method<CaseListArgs, CaseList>(
    z
      .object({
        queue: z.enum(CASE_QUEUES),
        text: z.string().max(128).optional(),
        includeClosed: z.boolean().optional(),
        offset: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(1_000).optional(),
      })
      .strict(),
  ),
  /** One case from the cache: its alerts, its timeline (with this console's unsent actions) and any conflict. */
  'cases.get': method<{ id: string }, CaseDetail>(z.object({ id: caseId }).strict()),
  /** Claim, assign, unassign, change status, comment or close: applied locally at once, pushed through the outbox. */
  'cases.act': method<CaseActArgs, CaseActResult>(caseAction),
  /** Opens a case by hand (a merchant, say), moving the given alerts into it. Needs the server. */
  'cases.open': method<{ entityType: 'ACCOUNT' | 'MERCHANT'; entityId: string; anomalyIds?: string[] }, CaseListRow>(
    z
      .object({
        entityType: z.enum(CASE_ENTITY_TYPES),
        entityId: z.string().min(1).max(128),
        anomalyIds: z.array(z.string().min(1).max(200)).max(1_000).optional(),
      })
      .strict(),
  ),
  /** Merges cases into one. Needs the server. */
  'cases.merge': method<{ intoId: string; fromIds: string[] }, CaseListRow>(z.object({ intoId: caseId, fromIds: z.array(caseId).min(1).max(50) }).strict()),
  /** Moves alerts of a case into a new case; answers the new case. Needs the server. */
  'cases.split': method<{ caseId: string; anomalyIds: string[] }, CaseListRow>(
    z.object({ caseId, anomalyIds: z.array(z.string().min(1).max(200)).min(1).max(1_000) }).strict(),
  ),
  /** The entity view's profile: from the server, cached; the cached one when offline. */
  'entity.get': method<EntityRefArgs, EntityView>(z.object(entityRef).strict()),
  /** A page of the entity's transactions, newest first: from the server, cached; from the cache when offline. */
  'entity.transactions': method<EntityTransactionsArgs, EntityTransactionsPage>(
    z
      .object({
        ...entityRef,
        cursor: z.string().max(200).nullable().optional(),
        limit: z.number().int().min(1).max(MAX_ENTITY_PAGE).optional(),
        from: z.number().int().optional(),
        to: z.number().int().optional(),
        amountMin: z.number().finite().optional(),
        amountMax: z.number().finite().optional(),
        country: z.string().max(2).optional(),
        counterpartyId: z.string().max(128).optional(),
        alertsOnly: z.boolean().optional(),
      })
      .strict(),
  ),
  /** The rule set in force and its lists as this console last synced them: what file scoring evaluates. */
  'rules.inForce': method<NoArgs, LocalRuleSet>(empty),
  /** Parses and checks a rule's text (against the synced list names): errors with line and column, [] when it is valid. */
  'rules.check': method<RuleCheckArgs, RuleCheckResult>(z.object({ expression: z.string().max(MAX_EXPRESSION_LENGTH) }).strict()),
  /** Starts a backtest of a draft set over the cache and the scored files, offline; poll 'rules.backtestLocalJob'. */
  'rules.backtestLocal': method<LocalBacktestArgs, LocalBacktestJob>(
    z.object({ rules: z.array(ZRuleDefinition).min(1).max(MAX_RULES_PER_SET), batchIds: z.array(z.string().min(1).max(100)).max(1_000).optional() }).strict(),
  ),
  'rules.backtestLocalJob': method<{ jobId: string }, LocalBacktestJob>(z.object({ jobId: z.string().min(1).max(100) }).strict()),
  'dashboard.get': method<{ batchId?: string | null }, Dashboard>(z.object({ batchId: z.string().nullable().optional() }).strict()),
  'sync.status': method<NoArgs, SyncStatus>(empty),
  'sync.now': method<NoArgs, SyncStatus>(empty),
  'session.signIn': method<SignInArgs, SyncStatus>(z.object({ serverUrl: z.url(), token: z.string().min(1).max(4_000) }).strict()),
  'session.signOut': method<NoArgs, SyncStatus>(empty),
  /** Replaces the stored token of the current session (Clerk tokens live a minute). */
  'session.refreshToken': method<{ token: string }, SyncStatus>(z.object({ token: z.string().min(1).max(8_192) }).strict()),
  /**
   * Who is signed in: the person, their organisation and role, and what the role lets
   * them do (asked of the server; its last answer when offline). Null when signed out.
   */
  'session.profile': method<NoArgs, ProfileAnswer>(empty),
  'app.config': method<NoArgs, ConsoleConfig>(empty),
  /** The organisation's members (Members view). */
  'members.list': method<NoArgs, Member[]>(empty),
  /** Local mode: adds a teammate and returns their sign-in token, which is shown once. */
  'members.add': method<AddMemberArgs, AddedMember>(
    z.object({ name: z.string().trim().min(1).max(100), email: z.string().trim().max(254).optional(), role: z.enum(ROLES) }).strict(),
  ),
  'members.changeRole': method<{ userId: string; role: Role }, Member>(z.object({ userId: z.string().min(1).max(200), role: z.enum(ROLES) }).strict()),
  'members.remove': method<{ userId: string }, { removed: true }>(z.object({ userId: z.string().min(1).max(200) }).strict()),
  /** The organisation's API keys, revoked ones included (API keys view; admins only: the server refuses others). */
  'apiKeys.list': method<NoArgs, ApiKey[]>(empty),
  /** Creates a key and returns its secret, which the server keeps no copy of: shown once. */
  'apiKeys.create': method<CreateApiKeyArgs, CreatedApiKey>(
    z
      .object({
        name: z.string().trim().min(1).max(100),
        scopes: z.array(z.enum(API_KEY_SCOPES)).min(1, 'pick at least one scope'),
      })
      .strict(),
  ),
  /** Revokes a key: the next request that uses it is refused (401). Cannot be undone. */
  'apiKeys.revoke': method<{ id: string }, ApiKey>(z.object({ id: z.string().min(1).max(200) }).strict()),
  'scoring.availability': method<NoArgs, ScoringAvailability>(empty),
  'scoring.inspect': method<{ source: ScoringSource }, CsvInspection>(z.object({ source }).strict()),
  'scoring.start': method<StartScoringArgs, ScoringJob>(z.object({ source, mapping, name: zSafeText(200).optional() }).strict()),
  'scoring.job': method<{ jobId: string }, ScoringJob>(z.object({ jobId: z.string().min(1).max(100) }).strict()),
  'scoring.cancel': method<{ jobId: string }, ScoringJob>(z.object({ jobId: z.string().min(1).max(100) }).strict()),
  'scoring.batches': method<NoArgs, LocalBatch[]>(empty),
  'scoring.renameBatch': method<{ batchId: string; name: string }, LocalBatch>(
    z.object({ batchId: z.string().min(1).max(100), name: zSafeText(200, { min: 1 }) }).strict(),
  ),
  /** Deletes a scored file with its queue rows and scored rows. Cannot be undone (the renderer confirms first). */
  'scoring.deleteBatch': method<{ batchId: string }, { deleted: LocalBatch }>(z.object({ batchId: z.string().min(1).max(100) }).strict()),
  /** Re-scores a scored file with a model fitted on it (an isolation forest, or trees on its label column): a job like scoring.start. */
  'scoring.refit': method<RefitBatchArgs, ScoringJob>(z.object({ batchId: z.string().min(1).max(100), kind: z.enum(['file-forest', 'file-labels']) }).strict()),
  'scoring.badRows': method<{ batchId: string; offset?: number; limit?: number }, BadRowsPage>(
    z
      .object({ batchId: z.string().min(1).max(100), offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(1_000).optional() })
      .strict(),
  ),
  /**
   * Writes the scored CSV to a path the analyst picked in Electron's save dialog, or
   * under a file name into the console's exports folder (the browser downloads
   * GET /download/batches/<id>.csv instead). Any other path is refused.
   */
  'scoring.export': method<ExportArgs, { path: string; rows: number }>(
    z.union([
      z.object({ batchId: z.string().min(1).max(100), path: z.string().min(1).max(4_096) }).strict(),
      z.object({ batchId: z.string().min(1).max(100), fileName: z.string().min(1).max(200), overwrite: z.boolean().optional() }).strict(),
    ]),
  ),
  /** Streams the opened file to the signed-in server as a batch CSV job (only when the analyst asks). */
  'scoring.uploadBatch': method<UploadBatchArgs, UploadedBatchJob>(z.object({ source, mapping, fileName: z.string().max(200).optional() }).strict()),
  /** The upload in flight (null when none), polled while 'scoring.uploadBatch' runs. */
  'scoring.uploadProgress': method<NoArgs, UploadProgress | null>(empty),
  /** The server's tRPC API for online screens; the renderer's tRPC client goes through it. */
  'server.call': method<ServerCallArgs, unknown>(
    z
      .object({
        type: z.enum(['query', 'mutation']),
        path: z.string().regex(/^[a-zA-Z][\w]*(\.[a-zA-Z][\w]*)+$/, 'must be a procedure path such as "billing.overview"'),
        input: z.unknown().optional(),
      })
      .strict(),
  ),
}

export type CoreMethod = keyof typeof coreMethods
type TypesOf<M extends CoreMethod> = NonNullable<(typeof coreMethods)[M]['types']>
export type CoreArgs<M extends CoreMethod> = TypesOf<M>['args']
export type CoreData<M extends CoreMethod> = TypesOf<M>['result']

/** The handler map the core implements: every method async, every failure as data. */
export type CoreHandlers = {
  [M in CoreMethod]: (args: CoreArgs<M>) => Promise<CoreResult<CoreData<M>>>
}

export const CORE_METHODS = Object.keys(coreMethods) as readonly CoreMethod[]

export function isCoreMethod(value: string): value is CoreMethod {
  return Object.hasOwn(coreMethods, value)
}

/** Parses a method's untyped arguments (a missing body counts as `{}`); throws a ZodError when they do not fit. */
export function parseCoreArgs<M extends CoreMethod>(method: M, rawArgs: unknown): CoreArgs<M> {
  return (coreMethods[method].args as z.ZodType<CoreArgs<M>>).parse(rawArgs ?? {})
}
