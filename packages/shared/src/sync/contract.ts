import { z } from 'zod'
import { ZAnomalyStatus, ZLabelKind } from '../domain/anomaly.ts'
import { ZAnomalyDecision, ZAnomalyRow, ZAnomalyTransaction } from '../domain/rows.ts'
import { isSafeText, zSafeText } from '../validation/safe-text.ts'
import { isTimeInRange, zTimeMs } from '../validation/time-bounds.ts'

/**
 * Wire contract between the desktop's sync engine and the server (version 1).
 * Never raw Prisma rows: the server maps to these shapes and the desktop stores them.
 *
 * Pull: anomalies changed since an opaque cursor, oldest change first, in pages.
 * Push: analyst decisions from the desktop's outbox, each with a client-generated
 * mutationId so that a retried push is applied once (unique per account: two accounts
 * may send the same mutationId, and both decisions are kept).
 *
 * Conflict rule (decisions from several analysts or devices on one anomaly): every
 * decision is kept in history, and the first decision stands. A decision names in
 * `basedOn` the decision in force its analyst saw (null: none). When another person's
 * decision is in force and the new one was not based on it (two analysts deciding the
 * same alert, or a decision made offline and synced later), the new decision is kept
 * in the history as superseded and reported as `conflict`, with the `standing`
 * decision (who, what, when); the analyst can then reopen the alert with a note, a
 * decision based on the standing one, which applies. Between one person's own
 * decisions (several devices), the latest `decidedAt` wins, ties broken by the larger
 * mutationId; an older one is stored but reported as `superseded`. Either way the pull
 * brings the status in force back.
 *
 * `decidedAt` is the analyst's clock, in epoch ms between 1970 and 9999 (time-bounds.ts;
 * outside that the push is refused as invalid input). A decision stamped in the future
 * is recorded at the server's receive time (`clampToNow`), never later: a skewed or
 * forged clock cannot date a decision ahead of the ones analysts make after it.
 */
export const SYNC_PROTOCOL_VERSION = 1
export const MAX_PULL_PAGE = 2_000
export const MAX_PUSH_DECISIONS = 500

/** The transaction an anomaly carries, and the decision in force: the shapes of domain/rows.ts. */
export const ZSyncTransaction = ZAnomalyTransaction
export type TSyncTransaction = z.infer<typeof ZSyncTransaction>

export const ZSyncDecision = ZAnomalyDecision

export const ZSyncAnomaly = /* @__PURE__ */ ZAnomalyRow.extend({
  /**
   * The transaction's feature vector in FEATURE_NAMES order, which the server scored.
   * Desktops re-score their queue with it when the active model changes. Absent from
   * older servers and null for anomalies stored before ingestion kept it. A vector
   * with anything but numbers in it reads as null rather than failing the page: the
   * server checks only for nulls in SQL (ingestion's NaN), a full check there cost
   * more than the rest of the page's JSON.
   */
  features: z.array(z.number()).nullable().optional().catch(null),
})
export type TSyncAnomaly = z.infer<typeof ZSyncAnomaly>

export const ZPullInput = z.object({
  cursor: z.string().max(200).nullable(),
  limit: z.number().int().min(1).max(MAX_PULL_PAGE).default(1_000),
  /**
   * Whether to count the account's anomalies into `total`. Desktops ask on the first
   * page of each sync run only; absent means yes, as version 1 clients expect a
   * number on every page.
   */
  withTotal: z.boolean().default(true),
})
export type TPullInput = z.input<typeof ZPullInput>

/**
 * The same pull as plain HTTP: `GET SYNC_PULL_PATH?cursor=...&limit=...&withTotal=0|1`
 * with the same Bearer token, answering a ZPullOutput as JSON (errors:
 * `{ error: { code, message, details } }` with the HTTP status tRPC would use).
 * Desktops prefer it for its cost: the server passes the page on as Postgres wrote
 * it, where the tRPC procedure parses, validates and serialises it again. A server
 * without it answers 404 and the desktop falls back to the procedure.
 */
export const SYNC_PULL_PATH = '/sync/pull'
/** Header of a SYNC_PULL_PATH answer that has more to come: its `nextCursor`, readable before the body. */
export const SYNC_NEXT_CURSOR_HEADER = 'x-sync-next-cursor'

/** Query string of SYNC_PULL_PATH: every value arrives as text. An absent cursor is null. */
export const ZPullQuery = z
  .object({
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PULL_PAGE).default(1_000),
    withTotal: z.enum(['0', '1']).default('1'),
  })
  .transform((q) => ({ cursor: q.cursor ?? null, limit: q.limit, withTotal: q.withTotal === '1' }))

export function pullQueryString(input: TPullInput): string {
  const params = new URLSearchParams()
  if (input.cursor !== null) params.set('cursor', input.cursor)
  if (input.limit !== undefined) params.set('limit', String(input.limit))
  if (input.withTotal !== undefined) params.set('withTotal', input.withTotal ? '1' : '0')
  return params.toString()
}

export const ZActiveModelInfo = z.object({ version: z.string(), sha256: z.string() })

export const ZPullOutput = z.object({
  anomalies: z.array(ZSyncAnomaly),
  nextCursor: z.string().nullable(),
  hasMore: z.boolean(),
  /** Total anomalies the account has, for a progress bar; null when the request said `withTotal: false`. */
  total: z.number().nullable(),
  activeModel: ZActiveModelInfo.nullable(),
})
export type TPullOutput = z.infer<typeof ZPullOutput>

export const ZDecisionInput = z.object({
  mutationId: z.uuid(),
  anomalyId: zSafeText(200, { min: 1 }),
  label: ZLabelKind,
  /** Without NUL or lone surrogates (which Postgres cannot store): refused by field. */
  note: zSafeText(2_000).optional(),
  /** Epoch ms on the analyst's clock; recorded as min(decidedAt, the server's receive time). */
  decidedAt: zTimeMs(),
  /**
   * The mutationId of the decision in force the analyst saw when deciding (the pulled
   * `latestDecision.mutationId`), null when they saw the alert undecided. Absent
   * (older clients) reads as null.
   */
  basedOn: z.string().max(200).nullable().optional(),
})
export type TDecisionInput = z.infer<typeof ZDecisionInput>

export const ZPushInput = z.object({
  decisions: z.array(ZDecisionInput).min(1).max(MAX_PUSH_DECISIONS),
})

export const ZPushOutcome = z.enum(['applied', 'duplicate', 'superseded', 'conflict', 'rejected'])
export const ZPushResult = z.object({
  mutationId: z.string(),
  outcome: ZPushOutcome,
  status: ZAnomalyStatus.nullable(),
  reason: z.string().optional(),
  /** With `conflict`: the other person's decision that stands (the pushed one is kept in the history). */
  standing: ZAnomalyDecision.optional(),
})
export const ZPushOutput = z.object({ results: z.array(ZPushResult) })
export type TPushOutput = z.infer<typeof ZPushOutput>

/** Cursors are opaque to clients: base64url of "<updatedAt ms>:<id>". */
export function encodeCursor(updatedAt: number, id: string): string {
  return btoa(`${updatedAt}:${id}`).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '')
}

export function decodeCursor(cursor: string): { updatedAt: number; id: string } | null {
  try {
    const text = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))
    const colon = text.indexOf(':')
    const updatedAt = Number(text.slice(0, colon))
    const id = text.slice(colon + 1)
    if (colon < 1 || !isTimeInRange(updatedAt) || id.length === 0 || id.length > 200 || !isSafeText(id)) return null
    return { updatedAt, id }
  } catch {
    return null
  }
}
