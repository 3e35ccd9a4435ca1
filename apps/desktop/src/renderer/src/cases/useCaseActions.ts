import { useMutation, useQueryClient } from '@tanstack/react-query'
import type { CaseActArgs, CaseActResult } from '../../../contract/cases.ts'
import { callCore } from '../api/core-client.ts'
import { CASES_KEY } from './useCasePages.ts'

export const caseQuery = (id: string) => ({ queryKey: ['case', id], queryFn: () => callCore('cases.get', { id }) })

/**
 * Case actions through the core: stored at once, pushed through the outbox. Every
 * answer refreshes the case and the queues (counts move between tabs).
 */
export function useCaseActions(onResult?: (result: CaseActResult, args: CaseActArgs) => void, onError?: (message: string) => void) {
  const queryClient = useQueryClient()
  const refresh = (): void => {
    void queryClient.invalidateQueries({ queryKey: ['case'] })
    void queryClient.invalidateQueries({ queryKey: CASES_KEY })
  }
  const act = useMutation({
    mutationFn: (args: CaseActArgs) => callCore('cases.act', args),
    onSuccess: (result, args) => onResult?.(result, args),
    onError: (error) => onError?.(error.message),
    onSettled: refresh,
  })
  const merge = useMutation({
    mutationFn: (args: { intoId: string; fromIds: string[] }) => callCore('cases.merge', args),
    onError: (error) => onError?.(`Not merged: ${error.message}`),
    onSettled: refresh,
  })
  const split = useMutation({
    mutationFn: (args: { caseId: string; anomalyIds: string[] }) => callCore('cases.split', args),
    onError: (error) => onError?.(`Not split: ${error.message}`),
    onSettled: refresh,
  })
  const open = useMutation({
    mutationFn: (args: { entityType: 'ACCOUNT' | 'MERCHANT'; entityId: string; anomalyIds?: string[] }) => callCore('cases.open', args),
    onError: (error) => onError?.(`No case opened: ${error.message}`),
    onSettled: refresh,
  })
  return { act, merge, split, open, refresh }
}
