import type {
  TBacktestJob,
  TListRow,
  TRuleDefinition,
  TRuleDraftRow,
  TRulesOverview,
  TRuleSetVersionSummary,
  ZBacktestStartInput,
  ZListAddEntriesInput,
  ZListAddEntriesOutput,
  ZListCreateInput,
  ZListEntriesInput,
  ZListEntriesPage,
  ZListImportOutput,
  ZRuleError,
  ZRuleSetVersionDetail,
  ZSuppressedPage,
} from '@anomalyze/shared'
import type { z } from 'zod'
import { bridge } from '../api/core-client.ts'

/**
 * The server's `rules`, `lists` and `ruleBacktests` procedures, typed by their wire
 * contract (`@anomalyze/shared` rules-api/contract.ts) rather than by the router: the
 * view is written against the contract, so it does not depend on how the routers are
 * built. Calls cross the bridge as `server.call`, like the renderer's tRPC client.
 */

export type RuleError = z.infer<typeof ZRuleError>
export type RuleSetVersionDetail = z.infer<typeof ZRuleSetVersionDetail>
export type ListEntriesPage = z.infer<typeof ZListEntriesPage>
export type ListImportOutput = z.infer<typeof ZListImportOutput>
export type SuppressedPage = z.infer<typeof ZSuppressedPage>
export type { TBacktestJob, TListRow, TRuleDefinition, TRuleDraftRow, TRulesOverview, TRuleSetVersionSummary }

/** A refusal of the server (or of the core on its way there), with what the UI needs to word it. */
export class ServerCallError extends Error {
  override readonly name = 'ServerCallError'
  constructor(
    message: string,
    /** The tRPC code (CONFLICT, FORBIDDEN, BAD_REQUEST…) or the core's error code. */
    readonly code: string,
    /** The AppError's details (e.g. { errors } of a refused draft, { reason, peakHitsPerDay } of a publish). */
    readonly details: Record<string, unknown>,
    /** Input fields zod refused, by path. */
    readonly fieldErrors: Record<string, string>,
  ) {
    super(message)
  }
}

interface TrpcEnvelope {
  message: string
  data?: {
    code?: string
    appError?: { code?: string; details?: Record<string, unknown> } | null
    fieldErrors?: { path: string; message: string }[] | null
  }
}

async function call<T>(type: 'query' | 'mutation', path: string, input: unknown): Promise<T> {
  const result = await bridge.call('server.call', { type, path, input })
  if (result.error === undefined) return result.data as T
  const envelope = result.error.details?.['trpc'] as TrpcEnvelope | null | undefined
  if (envelope == null) throw new ServerCallError(result.error.message, result.error.code, result.error.details ?? {}, {})
  const data = envelope.data ?? {}
  const fieldErrors = Object.fromEntries((data.fieldErrors ?? []).map((f) => [f.path, f.message]))
  throw new ServerCallError(envelope.message, data.code ?? data.appError?.code ?? 'INTERNAL', data.appError?.details ?? {}, fieldErrors)
}

const query = <T>(path: string, input?: unknown) => call<T>('query', path, input)
const mutate = <T>(path: string, input?: unknown) => call<T>('mutation', path, input)

export const rulesApi = {
  overview: () => query<TRulesOverview>('rules.list'),
  check: (expression: string) => query<{ errors: RuleError[] }>('rules.check', { expression }),
  saveDraft: (input: { id?: string; rule: TRuleDefinition }) => mutate<TRuleDraftRow>('rules.saveDraft', input),
  deleteDraft: (id: string) => mutate<unknown>('rules.deleteDraft', { id }),
  publish: (input: { comment: string; confirmed: boolean }) => mutate<TRuleSetVersionSummary>('rules.publish', input),
  versions: () => query<TRuleSetVersionSummary[]>('rules.versions'),
  version: (version: number) => query<RuleSetVersionDetail>('rules.version', { version }),
  rollback: (input: { version: number; comment: string }) => mutate<TRuleSetVersionSummary>('rules.rollback', input),
  suppressed: (cursor: string | null) => query<SuppressedPage>('rules.suppressed', { cursor, limit: 100 }),
}

export const listsApi = {
  list: () => query<TListRow[]>('lists.list'),
  create: (input: z.input<typeof ZListCreateInput>) => mutate<TListRow>('lists.create', input),
  delete: (id: string) => mutate<unknown>('lists.delete', { id }),
  entries: (input: z.input<typeof ZListEntriesInput>) => query<ListEntriesPage>('lists.entries', input),
  addEntries: (input: z.input<typeof ZListAddEntriesInput>) => mutate<z.infer<typeof ZListAddEntriesOutput>>('lists.addEntries', input),
  removeEntries: (listId: string, ids: string[]) => mutate<unknown>('lists.removeEntries', { listId, ids }),
  importCsv: (listId: string, csv: string) => mutate<ListImportOutput>('lists.importCsv', { listId, csv }),
}

export const backtestsApi = {
  start: (input: z.input<typeof ZBacktestStartInput>) => mutate<TBacktestJob>('ruleBacktests.start', input),
  get: (id: string) => query<TBacktestJob>('ruleBacktests.get', { id }),
}

/** Query keys: one root, so a publish or a list change refreshes everything the view shows. */
export const RULES_KEY = ['rules-view'] as const
