import { useCallback, useEffect, useRef, useState } from 'react'
import type { TBacktestResult } from '@anomalyze/shared'
import type { LocalBacktestSources } from '../../../contract/rules.ts'
import { callCore } from '../api/core-client.ts'
import { backtestsApi, type TRuleDefinition } from './rules-api.ts'

export type BacktestWhere = 'server' | 'local'

/** A backtest on either side, in one shape: what the panel shows while it runs and after. */
export interface BacktestRun {
  where: BacktestWhere
  days: number
  status: 'running' | 'done' | 'failed'
  processed: number
  total: number
  result: (TBacktestResult & { sources?: LocalBacktestSources }) | null
  error: string | null
}

const POLL_MS = 750

/**
 * Runs a backtest of a draft set on the server (`ruleBacktests.start`, then `get` until
 * it ends) or on this console (`rules.backtestLocal` over the cache and scored files),
 * polling for progress. Starting another one drops the answers of the one before.
 */
export function useBacktest(): { run: BacktestRun | null; start: (rules: TRuleDefinition[], where: BacktestWhere, days: number) => void; clear: () => void } {
  const [run, setRun] = useState<BacktestRun | null>(null)
  const generation = useRef(0)
  useEffect(() => () => void (generation.current += 1), [])

  const start = useCallback((rules: TRuleDefinition[], where: BacktestWhere, days: number) => {
    generation.current += 1
    const mine = generation.current
    const stillMine = () => generation.current === mine
    setRun({ where, days, status: 'running', processed: 0, total: 0, result: null, error: null })
    const fail = (error: unknown) =>
      stillMine() && setRun((r) => r && { ...r, status: 'failed', error: error instanceof Error ? error.message : String(error) })
    const poll = async (): Promise<void> => {
      if (where === 'server') {
        let job = await backtestsApi.start({ rules, days })
        while (stillMine() && (job.status === 'QUEUED' || job.status === 'PROCESSING')) {
          setRun((r) => r && { ...r, processed: job.processed, total: job.total })
          await new Promise((resolve) => setTimeout(resolve, POLL_MS))
          job = await backtestsApi.get(job.id)
        }
        if (!stillMine()) return
        setRun(
          (r) =>
            r && {
              ...r,
              processed: job.processed,
              total: job.total,
              status: job.status === 'COMPLETED' ? 'done' : 'failed',
              result: job.result,
              error: job.status === 'COMPLETED' ? null : (job.failureReason ?? 'The backtest failed on the server.'),
            },
        )
        return
      }
      let job = await callCore('rules.backtestLocal', { rules })
      while (stillMine() && job.status === 'running') {
        setRun((r) => r && { ...r, processed: job.processed, total: job.total })
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
        job = await callCore('rules.backtestLocalJob', { jobId: job.jobId })
      }
      if (!stillMine()) return
      setRun(
        (r) =>
          r && { ...r, processed: job.processed, total: job.total, status: job.status === 'done' ? 'done' : 'failed', result: job.result, error: job.error },
      )
    }
    poll().catch(fail)
  }, [])
  const clear = useCallback(() => {
    generation.current += 1
    setRun(null)
  }, [])
  return { run, start, clear }
}
