import { useEffect, useState } from 'react'

/**
 * `value` once it has stayed the same for `ms`; until then (and after each change)
 * undefined. For what is costly to draw and only worth drawing once the analyst
 * stops on an item: labelling several alerts a second, the charts of the alerts
 * passed over are never drawn, and the next alert's figures show without waiting
 * for them. Compared by identity: pass a memoised value.
 */
export function useSettled<T>(value: T, ms: number): T | undefined {
  const [settled, setSettled] = useState<{ value: T } | null>(null)
  useEffect(() => {
    const timer = setTimeout(() => setSettled({ value }), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return settled !== null && Object.is(settled.value, value) ? settled.value : undefined
}
