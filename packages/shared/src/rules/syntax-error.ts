import type { FailedMatchResult } from 'ohm-js'
import { ruleErrorAt } from './rule-error.ts'
import type { RuleError } from './rule-types.ts'

/** What ohm records for each alternative that failed at the rightmost position. */
interface OhmFailure {
  getText(): string
  type: string
  isFluffy(): boolean
}

// ohm's expectations in analyst words, in the order a message lists them. Anything not
// named here is quoted as ohm gave it.
const OPERAND_WORDS: Record<string, string> = {
  'a number': 'a number',
  'a field': 'a field',
  'a string in double quotes': 'a string',
  '(': '"("',
}
const OPERATOR_WORDS: Record<string, string> = {
  ')': '")"',
  ',': '","',
  'a comparison such as >=': 'a comparison such as >=',
  '+': 'an arithmetic operator (+ - * /)',
  '-': 'an arithmetic operator (+ - * /)',
  '*': 'an arithmetic operator (+ - * /)',
  '/': 'an arithmetic operator (+ - * /)',
  '"in" (case-insensitive)': '"in"',
  '"and" (case-insensitive)': '"and"',
  '"or" (case-insensitive)': '"or"',
  '"list" (case-insensitive)': 'list("name")',
  'end of input': 'the end of the rule',
}

const NOISE_WHERE_A_VALUE_STARTS = new Set(['-', '"not" (case-insensitive)', '"true" (case-insensitive)', '"false" (case-insensitive)'])
const NOISE_AFTER_A_VALUE = new Set(['(', '"not" (case-insensitive)'])

function expectedItems(match: FailedMatchResult): string[] {
  const failures = (match as unknown as { getRightmostFailures?: () => OhmFailure[] }).getRightmostFailures?.()
  if (!failures) return [match.getExpectedText()]
  const texts = new Set(failures.filter((f) => !f.isFluffy()).map((f) => f.getText()))
  // Where a value may start, `-`, `not`, `true` and `false` are also possible, but
  // naming them only lengthens the message; an analyst needs the main choices.
  const operand = texts.has('a number')
  const table = operand ? OPERAND_WORDS : OPERATOR_WORDS
  // After a field, `(` would make it a function call: not worth suggesting either.
  const noise = operand ? NOISE_WHERE_A_VALUE_STARTS : NOISE_AFTER_A_VALUE
  const words = new Set<string>()
  for (const word of Object.keys(table)) if (texts.has(word)) words.add(table[word] as string)
  for (const text of texts) if (!(text in table) && !noise.has(text)) words.add(OPERAND_WORDS[text] ?? OPERATOR_WORDS[text] ?? text)
  return [...words]
}

function joinAlternatives(items: string[]): string {
  if (items.length <= 1) return items[0] ?? 'something else'
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] as string}`
}

/** The token starting at `offset`: a word, a number, a two-character comparison or one character. */
function tokenAt(text: string, offset: number): string {
  const rest = text.slice(offset)
  return /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|"(?:\\.|[^"\\])*"|[<>=!]=|\S)/.exec(rest)?.[0] ?? ''
}

/** A token as a message quotes it: a string literal already wears its quotes. */
function quoted(token: string): string {
  return token.startsWith('"') ? token : `"${token}"`
}

/** The last token before `offset`, skipping spaces. */
function tokenBefore(text: string, offset: number): string {
  const before = text.slice(0, offset).trimEnd()
  return /(?:[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|"(?:\\.|[^"\\])*"|[<>=!]=|\S)$/.exec(before)?.[0] ?? ''
}

/** A failed match as one RuleError: where, and what was expected there, e.g. `Expected a number, a field, a string or "(" after "and"`. */
export function describeSyntaxError(text: string, match: FailedMatchResult): RuleError {
  const offset = match.getRightmostFailurePosition()
  if (text[offset] === '"' && !/^"(?:\\.|[^"\\\n])*"/.test(text.slice(offset))) {
    return ruleErrorAt(text, offset, text.length - offset, 'This string has no closing "')
  }
  const previous = tokenBefore(text, offset)
  const found = tokenAt(text, offset)
  const expected = `Expected ${joinAlternatives(expectedItems(match))}`
  const after = previous === '' ? '' : ` after ${quoted(previous)}`
  const where = found === '' ? (previous === '' ? '' : ', but the rule ends there') : `, not ${quoted(found)}`
  return ruleErrorAt(text, offset, Math.max(1, found.length), `${expected}${after}${where}`)
}
