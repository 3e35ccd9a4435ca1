import { SEVERITIES, severityRank } from '@anomalyze/shared'
import type { QueueFilters, QueueSort } from '../../contract/queue.ts'
import { openConflictSql } from './outbox.ts'

export interface SqlFragment {
  sql: string
  params: unknown[]
}

/** WHERE clause for a queue filter set; every value is bound, never interpolated. */
export function buildQueueWhere(filters: QueueFilters): SqlFragment {
  const clauses: string[] = []
  const params: unknown[] = []
  if (filters.batchId === undefined || filters.batchId === null) {
    clauses.push('batch_id IS NULL')
  } else {
    clauses.push('batch_id = ?')
    params.push(filters.batchId)
  }
  if (filters.severities !== undefined && filters.severities.length > 0 && filters.severities.length < SEVERITIES.length) {
    clauses.push(`severity_rank IN (${filters.severities.map(() => '?').join(', ')})`)
    params.push(...filters.severities.map(severityRank))
  }
  if (filters.statuses !== undefined && filters.statuses.length > 0) {
    clauses.push(`status IN (${filters.statuses.map(() => '?').join(', ')})`)
    params.push(...filters.statuses)
  }
  if (filters.rule !== undefined && filters.rule !== '') {
    clauses.push("rules_text LIKE ? ESCAPE '\\'")
    params.push(`% ${escapeLike(filters.rule)} %`)
  }
  if (filters.amountMin !== undefined) {
    clauses.push('amount >= ?')
    params.push(filters.amountMin)
  }
  if (filters.amountMax !== undefined) {
    clauses.push('amount <= ?')
    params.push(filters.amountMax)
  }
  if (filters.from !== undefined) {
    clauses.push('ts >= ?')
    params.push(filters.from)
  }
  if (filters.to !== undefined) {
    clauses.push('ts < ?')
    params.push(filters.to)
  }
  if (filters.accountId !== undefined && filters.accountId !== '') {
    clauses.push('account_id = ?')
    params.push(filters.accountId)
  }
  if (filters.moved === true) clauses.push('moved IS NOT NULL')
  if (filters.overruled === true) clauses.push(`EXISTS (SELECT 1 FROM outbox o WHERE o.anomaly_id = anomalies.id AND ${openConflictSql('o', 'anomalies')})`)
  const match = toFtsQuery(filters.text ?? '')
  if (match !== null) {
    clauses.push('n IN (SELECT rowid FROM anomalies_fts WHERE anomalies_fts MATCH ?)')
    params.push(match)
  }
  return { sql: clauses.join(' AND '), params }
}

export function orderByFor(sort: QueueSort): string {
  switch (sort) {
    case 'severity':
      return 'severity_rank DESC, score DESC, n'
    case 'score':
      return 'score DESC, n'
    case 'time':
      return 'ts DESC, n'
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * Each word of the search box becomes a quoted prefix term, all of them required:
 * "c0001 spike" -> "c0001"* AND "spike"*. Quoting keeps FTS syntax out of user input.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0)
  if (words.length === 0) return null
  return words.map((w) => `"${w}"*`).join(' AND ')
}
