import { z } from 'zod'
import { ZAnomalyStatus, ZLabelKind, ZSeverity } from '../domain/anomaly.ts'
import { ZTransactionRow } from '../domain/rows.ts'
import { isSafeText, zSafeText } from '../validation/safe-text.ts'
import { isTimeInRange, zTimeMs } from '../validation/time-bounds.ts'
import { ZCaseEntityType, ZCaseStatus, ZClosedCaseStatus, ZOpenCaseStatus } from './case-status.ts'

/**
 * Cases: the wire contract between the server and the console (version 1).
 *
 * A case groups the alerts of one entity (an account, or a merchant an analyst opened a
 * case for) into one investigation. Ingestion puts each new alert in the open case of
 * its merchant when an analyst opened one, else of its account, opening the account's
 * case when there is none. Consoles pull cases (with their timelines) like anomalies:
 * changed since an opaque cursor, in pages. Actions an analyst takes in the console
 * (claim, assign, unassign, status, comment, close) go through its outbox and are
 * pushed with a client mutationId, so that a retried push is applied once.
 *
 * Ordering rule (two analysts acting on one case): the server applies actions in the
 * order it receives them. A claim of a case someone else holds, or a close of a case
 * already closed, is refused as `conflict` with who holds (or closed) the case; the
 * refused action stays in the timeline (`claim_refused`, `close_refused`, with the
 * analyst's note), never dropped. Comments always apply. An admin's `assign` moves the
 * case whoever held it (a deliberate hand-over, not a race).
 */

export const MAX_CASE_PULL_PAGE = 1_000
export const MAX_CASE_ACTIONS = 200
/** A comment is at most this many characters (UTF-16 units, after trimming); an empty one is not saved. */
export const MAX_COMMENT_LENGTH = 4_000

export const CASE_EVENT_KINDS = [
  'opened',
  'alerts_added',
  'assigned',
  'unassigned',
  'status',
  'comment',
  'decision',
  'closed',
  'reopened',
  'merged',
  'split',
  'claim_refused',
  'close_refused',
  'sla_breached',
] as const
export const ZCaseEventKind = z.enum(CASE_EVENT_KINDS)
export type CaseEventKind = z.infer<typeof ZCaseEventKind>

/** A person as a case shows them. */
export const ZCasePerson = z.object({ id: z.string(), name: z.string() })
export type TCasePerson = z.infer<typeof ZCasePerson>

/** A case as the server sends it (cases.list, cases.get, the case pull). Times are epoch ms. */
export const ZCaseRow = z.object({
  id: z.string(),
  entityType: ZCaseEntityType,
  entityId: z.string(),
  status: ZCaseStatus,
  priority: ZSeverity,
  assignee: ZCasePerson.nullable(),
  dueAt: z.number().nullable(),
  /** The SLA (minutes) its due time came from, for "due soon". */
  slaMinutes: z.number().nullable(),
  breachedAt: z.number().nullable(),
  mergedIntoId: z.string().nullable(),
  alertCount: z.number(),
  /** Alerts still undecided (OPEN or NEEDS_REVIEW). */
  openAlertCount: z.number(),
  openedBy: ZCasePerson.nullable(),
  closedAt: z.number().nullable(),
  closedBy: ZCasePerson.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
})
export type TCaseRow = z.infer<typeof ZCaseRow>

/**
 * One line of a case's timeline. `data` by kind:
 * - opened: { entityType, entityId, by: 'ingestion' | 'analyst' | 'split' }
 * - alerts_added: { anomalyIds: string[], count }
 * - assigned: { assignee: {id,name}, previous: {id,name} | null, how: 'claim' | 'assign' | 'round_robin' }
 * - unassigned: { previous: {id,name} }
 * - status / reopened: { from, to }
 * - comment: { text }
 * - decision: { anomalyIds: string[], label, note }
 * - closed: { status, note, decidedCount }
 * - merged: { from: caseId[] } on the case that received, { into: caseId } on the merged one
 * - split: { to: caseId, anomalyIds } / { from: caseId, anomalyIds }
 * - claim_refused: { heldBy: {id,name} }; close_refused: { closedBy: {id,name}, status, note, label }
 * - sla_breached: { dueAt }
 */
export const ZCaseEvent = z.object({
  id: z.string(),
  caseId: z.string(),
  kind: ZCaseEventKind,
  actor: ZCasePerson.nullable(),
  /** The name shown: the member, "Anomalyze" for ingestion and timers, or an API key's name. */
  actorName: z.string(),
  at: z.number(),
  data: z.record(z.string(), z.unknown()).nullable(),
  mutationId: z.string().nullable(),
})
export type TCaseEvent = z.infer<typeof ZCaseEvent>

// ------------------------------------------------------------------ pull

export const ZCasePullInput = z.object({
  cursor: z.string().max(200).nullable(),
  limit: z.number().int().min(1).max(MAX_CASE_PULL_PAGE).default(500),
})
export type TCasePullInput = z.input<typeof ZCasePullInput>

/**
 * Cases changed since the cursor, oldest change first, each with its whole timeline
 * (`events`, oldest first): a console replaces what it holds of these cases. A case's
 * alerts come with the anomaly pull (their `caseId`).
 */
export const ZCasePullOutput = z.object({
  cases: z.array(ZCaseRow),
  events: z.array(ZCaseEvent),
  nextCursor: z.string().nullable(),
  hasMore: z.boolean(),
})
export type TCasePullOutput = z.infer<typeof ZCasePullOutput>

/** Case cursors are opaque: base64url of "c:<updatedAt ms>:<id>". */
export function encodeCaseCursor(updatedAt: number, id: string): string {
  return btoa(`c:${updatedAt}:${id}`).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '')
}

export function decodeCaseCursor(cursor: string): { updatedAt: number; id: string } | null {
  try {
    const text = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))
    if (!text.startsWith('c:')) return null
    const rest = text.slice(2)
    const colon = rest.indexOf(':')
    const updatedAt = Number(rest.slice(0, colon))
    const id = rest.slice(colon + 1)
    if (colon < 1 || !isTimeInRange(updatedAt) || id.length === 0 || id.length > 200 || !isSafeText(id)) return null
    return { updatedAt, id }
  } catch {
    return null
  }
}

/** `cases.get`: one case, its timeline (merged cases' lines included) and the ids of its alerts. */
export const ZCaseGetOutput = z.object({ case: ZCaseRow, events: z.array(ZCaseEvent), anomalyIds: z.array(z.string()) })
export type TCaseGetOutput = z.infer<typeof ZCaseGetOutput>

// ------------------------------------------------------------------ push

const actionBase = {
  mutationId: z.uuid(),
  caseId: zSafeText(200, { min: 1 }),
  /** Epoch ms on the analyst's clock; recorded as min(at, the server's receive time). */
  at: zTimeMs(),
}

/** A comment's text: trimmed, 1..MAX_COMMENT_LENGTH, storable (no NUL, no lone surrogate). */
export const zCommentText = () => zSafeText(MAX_COMMENT_LENGTH, { min: 1 })

export const ZCaseAction = z.discriminatedUnion('kind', [
  /** Take the case: applies when it is unassigned or already the caller's. */
  z.object({ ...actionBase, kind: z.literal('claim') }),
  /** Give the case to a member who may decide (analyst or admin). Admins may reassign a held case; analysts only an unassigned or their own. */
  z.object({ ...actionBase, kind: z.literal('assign'), assigneeId: zSafeText(200, { min: 1 }) }),
  /** Give the case back to the queue (its assignee, or an admin). */
  z.object({ ...actionBase, kind: z.literal('unassign') }),
  /** Move an open case between OPEN, IN_REVIEW and ESCALATED; on a closed case it reopens it (admins). */
  z.object({ ...actionBase, kind: z.literal('status'), status: ZOpenCaseStatus }),
  z.object({ ...actionBase, kind: z.literal('comment'), text: zCommentText() }),
  /** Close the case, deciding each undecided alert of it (labelForClosing). */
  z.object({ ...actionBase, kind: z.literal('close'), status: ZClosedCaseStatus, note: zSafeText(2_000).optional() }),
])
export type TCaseAction = z.infer<typeof ZCaseAction>
export type TCaseActionKind = TCaseAction['kind']

export const ZCasePushInput = z.object({ actions: z.array(ZCaseAction).min(1).max(MAX_CASE_ACTIONS) })

export const ZCasePushOutcome = z.enum(['applied', 'duplicate', 'conflict', 'rejected'])
export const ZCasePushResult = z.object({
  mutationId: z.string(),
  outcome: ZCasePushOutcome,
  /** Why it was refused or conflicted, in words for the analyst ("Asha Rao holds this case"). */
  reason: z.string().optional(),
  /** With `conflict`: who holds the case (claim) or closed it (close). */
  heldBy: ZCasePerson.nullable().optional(),
  /** The case as it stands after the action (null when there is no such case). */
  case: ZCaseRow.nullable(),
})
export const ZCasePushOutput = z.object({ results: z.array(ZCasePushResult) })
export type TCasePushOutput = z.infer<typeof ZCasePushOutput>
export type TCasePushResult = z.infer<typeof ZCasePushResult>

// ------------------------------------------------------ online-only actions

/** Open a case by hand (a merchant, or an account with no open case), optionally moving alerts into it. */
export const ZOpenCaseInput = z.object({
  entityType: ZCaseEntityType,
  entityId: zSafeText(128, { min: 1 }),
  anomalyIds: z
    .array(zSafeText(200, { min: 1 }))
    .max(1_000)
    .default([]),
})
/** Merge `fromIds` into `intoId`: their alerts and timelines move; they leave every queue. */
export const ZMergeCasesInput = z.object({
  intoId: zSafeText(200, { min: 1 }),
  fromIds: z
    .array(zSafeText(200, { min: 1 }))
    .min(1)
    .max(50),
})
/** Move some alerts of a case into a new case of the same entity. */
export const ZSplitCaseInput = z.object({
  caseId: zSafeText(200, { min: 1 }),
  anomalyIds: z
    .array(zSafeText(200, { min: 1 }))
    .min(1)
    .max(1_000),
})

export const ZCaseSettings = z.object({
  /** SLA minutes by priority. */
  sla: z.record(ZSeverity, z.number().int()),
  roundRobin: z.boolean(),
  /** Members taking new cases in turn. */
  onDuty: z.array(ZCasePerson),
})
export type TCaseSettings = z.infer<typeof ZCaseSettings>

// ------------------------------------------------------------ entity view

export const ENTITY_TYPES = ['ACCOUNT', 'MERCHANT'] as const
export const ZEntityRef = z.object({ type: ZCaseEntityType, id: zSafeText(128, { min: 1 }) })
export type TEntityRef = z.infer<typeof ZEntityRef>

/** One transaction of an entity's history, with its score and the decision in force when it was an alert. */
export const ZEntityTransaction = ZTransactionRow.pick({
  id: true,
  txId: true,
  timestamp: true,
  amount: true,
  currency: true,
  accountId: true,
  merchantId: true,
  category: true,
  country: true,
  channel: true,
}).extend({
  /** The anomaly's score, or null when it was not an alert (the server keeps scores of alerts only). */
  score: z.number().nullable(),
  severity: ZSeverity.nullable(),
  anomalyId: z.string().nullable(),
  status: ZAnomalyStatus.nullable(),
  label: ZLabelKind.nullable(),
})
export type TEntityTransaction = z.infer<typeof ZEntityTransaction>

export const MAX_ENTITY_PAGE = 1_000
export const ZEntityTransactionsInput = ZEntityRef.extend({
  /** Opaque, from the previous page; newest first. */
  cursor: z.string().max(200).nullable().default(null),
  limit: z.number().int().min(1).max(MAX_ENTITY_PAGE).default(200),
  from: zTimeMs().optional(),
  to: zTimeMs().optional(),
  amountMin: z.number().finite().optional(),
  amountMax: z.number().finite().optional(),
  country: zSafeText(2).optional(),
  /** For an account: one merchant; for a merchant: one account. */
  counterpartyId: zSafeText(128).optional(),
  alertsOnly: z.boolean().default(false),
})
export type TEntityTransactionsInput = z.input<typeof ZEntityTransactionsInput>
export const ZEntityTransactionsOutput = z.object({
  items: z.array(ZEntityTransaction),
  nextCursor: z.string().nullable(),
  /** Transactions matching the filters (all pages). */
  total: z.number(),
})
export type TEntityTransactionsOutput = z.infer<typeof ZEntityTransactionsOutput>

export const ZCountShare = z.object({ id: z.string(), count: z.number(), share: z.number() })

/**
 * What the entity usually does, and who it is linked to. `features` are the values the
 * model saw at its latest transaction (named, from the streaming feature state).
 */
export const ZEntityProfile = z.object({
  entity: ZEntityRef,
  firstSeen: z.number().nullable(),
  lastSeen: z.number().nullable(),
  transactionCount: z.number(),
  alertCount: z.number(),
  openCaseId: z.string().nullable(),
  amount: z.object({ mean: z.number(), median: z.number(), p95: z.number(), max: z.number() }).nullable(),
  /** For an account: its merchants; for a merchant: its accounts. Most used first, at most 20. */
  counterparties: z.array(ZCountShare),
  countries: z.array(ZCountShare),
  features: z.array(z.object({ name: z.string(), value: z.number() })),
  /**
   * One hop: for an account, other accounts with alerts at the merchants it used; for a
   * merchant, other merchants where its alerted accounts have alerts. At most 20.
   */
  linked: z.array(z.object({ type: ZCaseEntityType, id: z.string(), alertCount: z.number(), via: z.array(z.string()) })),
})
export type TEntityProfile = z.infer<typeof ZEntityProfile>

// ---------------------------------------------------------- team metrics

export const ZTeamMetricsInput = z.object({ days: z.number().int().min(1).max(365).default(30) })
export const ZTeamMetrics = z.object({
  /** Open cases by age since opened: '<1d', '1-3d', '3-7d', '>7d'. */
  openByAge: z.array(z.object({ bucket: z.string(), count: z.number() })),
  sla: z.object({ openOverdue: z.number(), dueSoon: z.number(), breachedInPeriod: z.number() }),
  /** Cases closed per analyst per day (UTC days), in the period. */
  closedPerAnalyst: z.array(z.object({ day: z.string(), analyst: ZCasePerson, count: z.number() })),
  /** Median time from an alert's creation to its first decision, in the period (ms). */
  medianTimeToDecisionMs: z.number().nullable(),
  /** Among decided alerts in the period: share decided false positive, by rule and by model version. */
  falsePositiveByRule: z.array(z.object({ key: z.string(), decided: z.number(), falsePositives: z.number(), rate: z.number() })),
  falsePositiveByModel: z.array(z.object({ key: z.string(), decided: z.number(), falsePositives: z.number(), rate: z.number() })),
})
export type TTeamMetrics = z.infer<typeof ZTeamMetrics>
