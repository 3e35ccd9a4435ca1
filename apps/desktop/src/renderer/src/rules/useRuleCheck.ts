import { useEffect, useState } from 'react'
import { callCore } from '../api/core-client.ts'
import type { RuleError } from './rules-api.ts'

/** How long typing must pause before the text is checked: quick enough to feel live, slow enough not to check every key. */
const CHECK_DELAY_MS = 150

/**
 * The errors of a rule's text as the analyst types, from the console's own checker
 * (`rules.check`, against the synced list names): it works offline and costs no round
 * trip. An answer for older text than the field now holds is dropped.
 */
export function useRuleCheck(expression: string): { errors: RuleError[]; checking: boolean; failure: string | null } {
  const [state, setState] = useState<{ text: string; errors: RuleError[]; failure: string | null }>({ text: '', errors: [], failure: null })
  useEffect(() => {
    let current = true
    const timer = setTimeout(() => {
      callCore('rules.check', { expression })
        .then((errors) => current && setState({ text: expression, errors, failure: null }))
        .catch((error: unknown) => current && setState({ text: expression, errors: [], failure: error instanceof Error ? error.message : String(error) }))
    }, CHECK_DELAY_MS)
    return () => {
      current = false
      clearTimeout(timer)
    }
  }, [expression])
  return { errors: state.text === expression ? state.errors : [], checking: state.text !== expression, failure: state.failure }
}
