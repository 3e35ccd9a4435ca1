import type { AnomalyzeBridge, CoreArgs, CoreData, CoreMethod } from '../../../contract/handlers.ts'
import type { CoreResult } from '../../../contract/result.ts'

/**
 * Core calls sent before React exists (see boot.ts): the core answers them while the
 * browser is still evaluating the app's code, instead of after it. Each answer is
 * handed out once, to the first identical call; whatever the first screen did not
 * take is dropped once it has rendered (dropEarlyCalls), so a later call never gets
 * a stale answer.
 */
const early = new Map<string, Promise<CoreResult<unknown>>>()

const keyOf = (method: CoreMethod, args: unknown): string => `${method} ${JSON.stringify(args)}`

export function startEarlyCall<M extends CoreMethod>(bridge: AnomalyzeBridge, method: M, args: CoreArgs<M>): void {
  early.set(keyOf(method, args), bridge.call(method, args))
}

export function takeEarlyCall<M extends CoreMethod>(method: M, args: CoreArgs<M>): Promise<CoreResult<CoreData<M>>> | undefined {
  if (early.size === 0) return undefined
  const key = keyOf(method, args)
  const pending = early.get(key)
  early.delete(key)
  return pending as Promise<CoreResult<CoreData<M>>> | undefined
}

/**
 * The answer of an early call once it is in (without handing it out), or undefined if
 * there was no such call, it failed, or it is not in within `waitMs`.
 */
export async function earlyAnswer<M extends CoreMethod>(method: M, args: CoreArgs<M>, waitMs: number): Promise<CoreData<M> | undefined> {
  const pending = early.get(keyOf(method, args)) as Promise<CoreResult<CoreData<M>>> | undefined
  if (pending === undefined) return undefined
  let timer: number | undefined
  const result = await Promise.race([pending, new Promise<undefined>((resolve) => (timer = window.setTimeout(resolve, waitMs)))])
  window.clearTimeout(timer)
  return result?.data
}

export function dropEarlyCalls(): void {
  early.clear()
}
