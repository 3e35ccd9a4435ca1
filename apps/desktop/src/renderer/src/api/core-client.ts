import type { AnomalyzeBridge, CoreArgs, CoreData, CoreMethod } from '../../../contract/handlers.ts'
import type { CoreError, CoreResult } from '../../../contract/result.ts'
import { takeEarlyCall } from './early-calls.ts'

/** A core method answered with {error}: thrown so TanStack Query sees a failure. */
export class CoreCallError extends Error {
  override readonly name = 'CoreCallError'
  constructor(readonly error: CoreError) {
    super(error.message)
  }
  get code(): CoreError['code'] {
    return this.error.code
  }
}

/**
 * Browser mode: the same handler map over `POST /api/<method>` on the console server
 * that served this page. A network failure becomes an UNAVAILABLE error, so the UI
 * has one kind of failure to show.
 */
export const httpBridge: AnomalyzeBridge = {
  platform: 'web',
  async call<M extends CoreMethod>(method: M, args: CoreArgs<M>): Promise<CoreResult<CoreData<M>>> {
    let response: Response
    try {
      response = await fetch(`/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(args),
      })
    } catch (error) {
      return { error: { code: 'UNAVAILABLE', message: `The console's local core is not answering (${String(error)}). Is "console --web" still running?` } }
    }
    try {
      return (await response.json()) as CoreResult<CoreData<M>>
    } catch {
      return { error: { code: 'INTERNAL', message: `Local core answered HTTP ${response.status} without JSON` } }
    }
  },
}

/** Electron's preload bridge when there is one, HTTP otherwise. */
export const bridge: AnomalyzeBridge = window.anomalyze ?? httpBridge

export async function callCore<M extends CoreMethod>(method: M, args: CoreArgs<M>): Promise<CoreData<M>> {
  const result = await (takeEarlyCall(method, args) ?? bridge.call(method, args))
  if (result.error !== undefined) throw new CoreCallError(result.error)
  return result.data
}
