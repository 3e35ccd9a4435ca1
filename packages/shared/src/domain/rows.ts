import { z } from 'zod'
import { ZAnomalyStatus, ZLabelKind, ZSeverity } from './anomaly.ts'

// The transaction and anomaly rows as they leave the server, declared once: the server's
// DTOs, the sync contract and the desktop's queue types all derive from these (pick,
// extend), so a field added or renamed here reaches every one of them. Times are epoch
// ms, amounts plain numbers; what the client sent in is ZTransactionInput.

/** How a transaction reached the server. */
export const TRANSACTION_SOURCES = ['REALTIME_API', 'BATCH_CSV'] as const
export const ZTransactionSource = z.enum(TRANSACTION_SOURCES)

/** A stored transaction, as transactions.list and transactions.get answer it. */
export const ZTransactionRow = z.object({
  id: z.string(),
  txId: z.string(),
  timestamp: z.number(),
  amount: z.number(),
  currency: z.string(),
  accountId: z.string(),
  merchantId: z.string(),
  category: z.string().nullable(),
  country: z.string().nullable(),
  channel: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  source: ZTransactionSource,
  createdAt: z.number(),
})
export type TTransactionRow = z.infer<typeof ZTransactionRow>

/** The part of a transaction an anomaly carries with it (the queue's columns and its detail). */
// Marked pure: the renderer imports this module's constants, and a method call on a
// schema would otherwise keep zod in its bundle (the build treats only z.* as pure).
export const ZAnomalyTransaction = /* @__PURE__ */ ZTransactionRow.pick({
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
})
export type TAnomalyTransaction = z.infer<typeof ZAnomalyTransaction>

/** The analyst decision in force on an anomaly. */
export const ZAnomalyDecision = z.object({
  label: ZLabelKind,
  note: z.string().nullable(),
  /** The decider's name as shown to people. */
  decidedBy: z.string(),
  decidedAt: z.number(),
  /**
   * The decision's id: what a later decision names as `basedOn` (sync/contract.ts) to
   * say its analyst saw this one. Absent from servers before teams.
   */
  mutationId: z.string().optional(),
  /** The deciding member's user id (null for an API key or an older decision). Absent from servers before teams. */
  decidedById: z.string().nullable().optional(),
})
export type TAnomalyDecision = z.infer<typeof ZAnomalyDecision>

/** A scored anomaly with its transaction and the decision in force. */
export const ZAnomalyRow = z.object({
  id: z.string(),
  transaction: ZAnomalyTransaction,
  score: z.number(),
  severity: ZSeverity,
  ruleViolations: z.array(z.string()),
  explanation: z.string(),
  explanationData: z.unknown().nullable(),
  modelVersion: z.string().nullable(),
  status: ZAnomalyStatus,
  isFalsePositive: z.boolean(),
  latestDecision: ZAnomalyDecision.nullable(),
  /** The case investigating it (cases/contract.ts). Absent from servers before cases. */
  caseId: z.string().nullable().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
})
export type TAnomalyRow = z.infer<typeof ZAnomalyRow>
