import { z } from 'zod'
import { ZSeverity } from '../domain/anomaly.ts'
import { zSafeText } from '../validation/safe-text.ts'
import { LIST_KINDS, RULE_MODES } from '../rules/rule-types.ts'

/**
 * Rules as data: the wire contract of the `rules` and `lists` routers (version 1).
 *
 * Analysts draft rules (`Rule` rows) and backtest them; an admin publishes the drafts as
 * a new rule-set version, which ingestion evaluates from then on. Every publish and
 * rollback is a version with who and why; an alert records the version that evaluated
 * it. Lists (allow and deny, of one field's values) are live: a change applies to the
 * next transaction. The rule language itself is `@anomalyze/shared/engine` (rules/).
 */

export const ZRuleMode = z.enum(RULE_MODES)
export const ZListKind = z.enum(LIST_KINDS)

/** Text fields a list can hold values of (an ALLOW list suppresses alerts whose field value it lists). */
export const LIST_FIELDS = ['account_id', 'merchant_id', 'card_bin', 'country', 'currency', 'category', 'channel'] as const
export const ZListField = z.enum(LIST_FIELDS)
export type ListField = z.infer<typeof ZListField>

export const MAX_RULES_PER_SET = 200
export const MAX_EXPRESSION_LENGTH = 4_000
export const MAX_BACKTEST_DAYS = 90
export const MAX_LIST_ENTRIES_PER_CALL = 1_000
/**
 * A list import's CSV text, in UTF-16 units. A unit is at most 3 bytes of UTF-8, so even
 * a file of non-Latin text fits the server's 8 MB request limit as JSON and is answered
 * line by line, never refused whole by the HTTP layer.
 */
export const MAX_LIST_IMPORT_LENGTH = 2_500_000

export const RULE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

export const ZRuleDefinition = z.object({
  name: z.string().regex(RULE_NAME_PATTERN, 'a rule name is letters, digits and _ (at most 64), starting with a letter'),
  expression: zSafeText(MAX_EXPRESSION_LENGTH).refine((s) => s.trim().length > 0, 'the rule has no condition'),
  description: zSafeText(1_000).default(''),
  mode: ZRuleMode,
  severityFloor: ZSeverity.nullable().default(null),
  scoreBoost: z.number().min(0).max(1).nullable().default(null),
})
export type TRuleDefinition = z.infer<typeof ZRuleDefinition>

/** Where a problem is in a rule's text (RuleError of the language). */
export const ZRuleError = z.object({
  line: z.number().int(),
  column: z.number().int(),
  offset: z.number().int(),
  length: z.number().int(),
  message: z.string(),
})

export const ZPerson = z.object({ id: z.string(), name: z.string() })

/** A draft rule and how it stands against the version in force. */
export const ZRuleDraftRow = ZRuleDefinition.extend({
  id: z.string(),
  /** new: not in the version in force; changed: differs from it; published: as in force. */
  state: z.enum(['new', 'changed', 'published']),
  updatedBy: ZPerson.nullable(),
  updatedAt: z.number(),
})
export type TRuleDraftRow = z.infer<typeof ZRuleDraftRow>

export const ZRuleSetVersionSummary = z.object({
  /** 0: the built-in default rule set (never published by anyone). */
  version: z.number().int(),
  publishedAt: z.number().nullable(),
  publishedBy: ZPerson.nullable(),
  comment: z.string(),
  ruleCount: z.number().int(),
  restoredFrom: z.number().int().nullable(),
})
export type TRuleSetVersionSummary = z.infer<typeof ZRuleSetVersionSummary>

export const ZRuleHitCount = z.object({ name: z.string(), hits7d: z.number().int(), shadowHits7d: z.number().int() })

export const ZRulesOverview = z.object({
  drafts: z.array(ZRuleDraftRow),
  /** Rules in force that have no draft any more: publishing removes them. */
  removed: z.array(z.string()),
  inForce: ZRuleSetVersionSummary,
  /** Hits per rule over the last 7 days (RuleHit), by name. */
  hits: z.array(ZRuleHitCount),
  alertBudgetPerDay: z.number().int(),
})
export type TRulesOverview = z.infer<typeof ZRulesOverview>

export const ZRuleDiff = z.object({
  name: z.string(),
  change: z.enum(['added', 'removed', 'changed', 'unchanged']),
  before: ZRuleDefinition.nullable(),
  after: ZRuleDefinition.nullable(),
})
export type TRuleDiff = z.infer<typeof ZRuleDiff>

export const ZRuleSetVersionDetail = z.object({
  summary: ZRuleSetVersionSummary,
  rules: z.array(ZRuleDefinition),
  /** Against the version before it (version 0 for the first publish). */
  diff: z.array(ZRuleDiff),
})

// ---- inputs ----

export const ZRuleCheckInput = z.object({ expression: z.string().max(MAX_EXPRESSION_LENGTH) })
export const ZRuleCheckOutput = z.object({ errors: z.array(ZRuleError) })
/** Saves a draft (id: the draft to change; none: a new rule). Refused with `details.errors` (ZRuleError[]) when it does not check. */
export const ZRuleSaveDraftInput = z.object({ id: z.string().max(100).optional(), rule: ZRuleDefinition })
export const ZRuleDeleteDraftInput = z.object({ id: z.string().min(1).max(100) })
/**
 * Publishes the drafts. When the latest backtest of exactly these drafts raised more
 * alerts a day than the organisation's budget, or they were never backtested, it is
 * refused (CONFLICT, details { reason: 'over_budget' | 'not_backtested',
 * peakHitsPerDay, alertBudgetPerDay }) unless `confirmed`.
 */
export const ZRulePublishInput = z.object({
  comment: zSafeText(500).refine((s) => s.trim().length > 0, 'say why: a comment is required'),
  confirmed: z.boolean().default(false),
})
export const ZRuleVersionInput = z.object({ version: z.number().int().min(0) })
/** Publishes an earlier version's rules again as a new version (and resets the drafts to them). */
export const ZRuleRollbackInput = z.object({
  version: z.number().int().min(0),
  comment: zSafeText(500).refine((s) => s.trim().length > 0, 'say why: a comment is required'),
})

/** What the desktop evaluates when it scores files: the set in force and every list it may name. */
export const ZRulesInForce = z.object({
  version: z.number().int(),
  rules: z.array(ZRuleDefinition),
  lists: z.array(
    z.object({
      name: z.string(),
      kind: ZListKind,
      field: ZListField,
      entries: z.array(z.object({ value: z.string(), reason: z.string() })),
    }),
  ),
})
export type TRulesInForce = z.infer<typeof ZRulesInForce>

export const ZSuppressedInput = z.object({ cursor: z.string().max(200).nullable().optional(), limit: z.number().int().min(1).max(500).default(100) })
export const ZSuppressedAlert = z.object({
  id: z.string(),
  transactionId: z.string(),
  txId: z.string(),
  timestamp: z.number(),
  amount: z.number(),
  accountId: z.string(),
  merchantId: z.string(),
  listName: z.string(),
  field: z.string(),
  value: z.string(),
  reason: z.string(),
  score: z.number(),
  severity: ZSeverity,
  ruleViolations: z.array(z.string()),
  ruleSetVersion: z.number().int(),
  createdAt: z.number(),
})
export const ZSuppressedPage = z.object({ items: z.array(ZSuppressedAlert), nextCursor: z.string().nullable() })

// ---- backtests ----

export const ZBacktestStartInput = z.object({
  /** The whole draft set to test (usually the drafts with one rule changed), in order. */
  rules: z.array(ZRuleDefinition).min(1).max(MAX_RULES_PER_SET),
  days: z.number().int().min(1).max(MAX_BACKTEST_DAYS).default(30),
})

/** How one rule (or, under the name "(all rules)", the whole set) did over the backtest window. */
export const ZBacktestRuleStats = z.object({
  name: z.string(),
  mode: ZRuleMode,
  hits: z.number().int(),
  /** hits / days of the window. */
  hitsPerDay: z.number(),
  /** Hits an analyst decided as fraud / as a false positive. */
  confirmedFraud: z.number().int(),
  falsePositive: z.number().int(),
  /** confirmedFraud / (confirmedFraud + falsePositive); null without decided hits. */
  precision: z.number().nullable(),
  /** confirmedFraud / every transaction decided as fraud in the window; null when none. */
  recall: z.number().nullable(),
  /** Hits the rules in force also fire on. */
  overlapCurrentRules: z.number().int(),
  /** Hits that are alerts today (the model or the rules in force raised them). */
  overlapAlerts: z.number().int(),
})
export type TBacktestRuleStats = z.infer<typeof ZBacktestRuleStats>

export const ZBacktestSample = z.object({
  transactionId: z.string(),
  txId: z.string(),
  timestamp: z.number(),
  amount: z.number(),
  accountId: z.string(),
  merchantId: z.string(),
  rules: z.array(z.string()),
  decision: z.enum(['CONFIRMED_FRAUD', 'FALSE_POSITIVE']).nullable(),
})

export const ZBacktestResult = z.object({
  from: z.number(),
  to: z.number(),
  days: z.number().int(),
  transactions: z.number().int(),
  /** Per rule, in set order, then "(all rules)" for the set (ACTIVE rules). */
  rules: z.array(ZBacktestRuleStats),
  /** Hits per day of the tested set (ACTIVE rules) against the rules in force: the chart. */
  perDay: z.array(z.object({ day: z.string(), draftHits: z.number().int(), currentHits: z.number().int() })),
  /** Up to 50 hits to open in the entity view, newest first. */
  samples: z.array(ZBacktestSample),
  labelled: z.object({ fraud: z.number().int(), falsePositive: z.number().int() }),
  alertBudgetPerDay: z.number().int(),
  /** The busiest day's ACTIVE hits. */
  peakHitsPerDay: z.number().int(),
  overBudget: z.boolean(),
  /** sha-256 of the tested definitions (canonical JSON): publish compares it with the drafts'. */
  rulesHash: z.string(),
})
export type TBacktestResult = z.infer<typeof ZBacktestResult>

export const ZBacktestJob = z.object({
  id: z.string(),
  status: z.enum(['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED']),
  days: z.number().int(),
  processed: z.number().int(),
  total: z.number().int(),
  createdAt: z.number(),
  completedAt: z.number().nullable(),
  failureReason: z.string().nullable(),
  result: ZBacktestResult.nullable(),
})
export type TBacktestJob = z.infer<typeof ZBacktestJob>

// ---- lists ----

export const ZListName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'a list name is letters, digits, space, _ . - (at most 64)')

export const ZListRow = z.object({
  id: z.string(),
  name: z.string(),
  kind: ZListKind,
  field: ZListField,
  description: z.string(),
  entryCount: z.number().int(),
  updatedAt: z.number(),
})
export type TListRow = z.infer<typeof ZListRow>

export const ZListCreateInput = z.object({ name: ZListName, kind: ZListKind, field: ZListField, description: zSafeText(1_000).default('') })
/** Refused (CONFLICT, naming the rules) while a draft or the set in force names the list. */
export const ZListDeleteInput = z.object({ id: z.string().min(1).max(100) })
export const ZListEntriesInput = z.object({
  listId: z.string().min(1).max(100),
  search: z.string().max(200).optional(),
  cursor: z.string().max(200).nullable().optional(),
  limit: z.number().int().min(1).max(500).default(100),
})
export const ZListEntry = z.object({ id: z.string(), value: z.string(), reason: z.string(), addedBy: ZPerson.nullable(), createdAt: z.number() })
export const ZListEntriesPage = z.object({ items: z.array(ZListEntry), nextCursor: z.string().nullable(), total: z.number().int() })
export const ZListValue = zSafeText(256).refine((s) => s.trim().length > 0, 'a list value must not be empty')
export const ZListAddEntriesInput = z.object({
  listId: z.string().min(1).max(100),
  entries: z
    .array(z.object({ value: ZListValue, reason: zSafeText(500).default('') }))
    .min(1)
    .max(MAX_LIST_ENTRIES_PER_CALL),
})
export const ZListAddEntriesOutput = z.object({ added: z.number().int(), alreadyListed: z.number().int() })
export const ZListRemoveEntriesInput = z.object({
  listId: z.string().min(1).max(100),
  ids: z.array(z.string().min(1).max(100)).min(1).max(MAX_LIST_ENTRIES_PER_CALL),
})
/**
 * A CSV of `value[,reason]` lines (a header line `value,reason` is recognised and skipped).
 * The good lines are added in one transaction; each bad line is reported by number and
 * none of it is stored.
 */
export const ZListImportInput = z.object({ listId: z.string().min(1).max(100), csv: z.string().max(MAX_LIST_IMPORT_LENGTH) })
export const ZListImportOutput = z.object({
  imported: z.number().int(),
  alreadyListed: z.number().int(),
  errors: z.array(z.object({ line: z.number().int(), message: z.string() })),
})
