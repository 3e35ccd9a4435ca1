import type { RuleError } from './rule-types.ts'

/** A RuleError at `offset` in `text`, with the 1-based line and column an editor shows. */
export function ruleErrorAt(text: string, offset: number, length: number, message: string): RuleError {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1, offset, length: Math.max(1, length), message }
}
