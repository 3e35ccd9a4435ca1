import { useQueries } from '@tanstack/react-query'
import type { CaseListRow, CaseQueue } from '../../../contract/cases.ts'
import { callCore } from '../api/core-client.ts'

export const CASE_PAGE = 200
export const CASES_KEY = ['cases.list'] as const

/**
 * A case queue read in pages of 200 from the cache: only the pages the table shows are
 * asked for, so 20,000 cases cost what 200 do. The first page carries the total and
 * every queue's count.
 */
export function useCasePages(queue: CaseQueue, text: string, first: number, last: number) {
  const pages = new Set<number>([0])
  for (let i = Math.floor(Math.max(first, 0) / CASE_PAGE); i <= Math.floor(Math.max(last, 0) / CASE_PAGE); i += 1) pages.add(i)
  const sorted = [...pages].sort((a, b) => a - b)
  const results = useQueries({
    queries: sorted.map((page) => ({
      queryKey: [...CASES_KEY, queue, text, page],
      queryFn: () =>
        callCore('cases.list', { queue, ...(text === '' ? {} : { text }), includeClosed: queue === 'all', offset: page * CASE_PAGE, limit: CASE_PAGE }),
    })),
  })
  const byPage = new Map(sorted.map((page, i) => [page, results[i]?.data]))
  const head = results[0]
  const getRow = (index: number): CaseListRow | undefined => byPage.get(Math.floor(index / CASE_PAGE))?.rows[index % CASE_PAGE]
  return {
    getRow,
    total: head?.data?.total ?? 0,
    counts: head?.data?.counts ?? null,
    pending: head?.isPending ?? true,
    error: head?.error ?? null,
  }
}
