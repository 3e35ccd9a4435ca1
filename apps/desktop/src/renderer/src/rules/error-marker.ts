import type { RuleError } from './rules-api.ts'

/** One problem of a rule's text as the editor shows it: the message, its place, and the line with a caret under the spot. */
export interface ErrorMarker {
  message: string
  /** "line 2, column 14" (or the rule's field, for errors about the name or boost at line 0). */
  where: string
  /** The offending line of the expression ('' for errors not about the expression). */
  lineText: string
  /** Spaces, then ^ under each character the problem spans (at least one). */
  caret: string
}

/**
 * Where an error sits in the text. Line and column are 1-based; line 0 is an error about
 * the rule as a whole (its name, its boost), which names the field in its message. A
 * caret past the end of the line (an expression that stops too early) points just after it.
 */
export function errorMarker(expression: string, error: RuleError): ErrorMarker {
  if (error.line < 1) return { message: error.message, where: 'the rule', lineText: '', caret: '' }
  const lineText = expression.split('\n')[error.line - 1] ?? ''
  const start = Math.max(0, Math.min(error.column - 1, lineText.length))
  const width = Math.max(1, Math.min(error.length, lineText.length - start))
  // Tabs keep their width in the caret line so the caret lands under the right character.
  const lead = lineText.slice(0, start).replace(/[^\t]/g, ' ')
  return { message: error.message, where: `line ${error.line}, column ${error.column}`, lineText, caret: `${lead}${'^'.repeat(width)}` }
}
