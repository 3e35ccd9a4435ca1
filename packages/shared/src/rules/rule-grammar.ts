import * as ohm from 'ohm-js'

/**
 * The rule language's grammar (docs/rules.md describes it for analysts). Precedence,
 * loosest first: or, and, not, comparison / in, + -, * /, unary minus. Rule
 * descriptions in parentheses are what a syntax error says was expected.
 *
 * Keywords are case-insensitive and end at a word boundary (`~identPart`), so
 * `android` is a field, not `and` followed by `roid`.
 */
export const RULE_GRAMMAR_SOURCE = String.raw`
RuleLanguage {
  Rule = Or end

  Or = Or or And  -- or
     | And
  And = And and Not  -- and
      | Not
  Not = not Not  -- not
      | Comparison

  Comparison = Sum comparisonOperator Sum  -- compare
             | Sum not in InTarget  -- notIn
             | Sum in InTarget  -- in
             | Sum

  InTarget = list "(" string ")"  -- list
           | "(" NonemptyListOf<SetItem, ","> ")"  -- set
  SetItem = "-" number  -- negative
          | Literal

  Sum = Sum ("+" | "-") Product  -- binary
      | Product
  Product = Product ("*" | "/") Negation  -- binary
          | Negation
  Negation = "-" Negation  -- minus
           | Primary

  Primary = "(" Or ")"  -- paren
          | identifier "(" ListOf<Or, ","> ")"  -- call
          | Literal
          | identifier  -- field

  Literal = number | string | true | false

  comparisonOperator (a comparison such as >=) = "<=" | ">=" | "==" | "!=" | "<" | ">"

  number (a number) = digit+ ("." digit+)?
  string (a string in double quotes) = "\"" stringCharacter* "\""
  stringCharacter = "\\" ("\"" | "\\")  -- escape
                  | ~("\"" | "\\" | "\n") any  -- plain

  identifier (a field) = ~keyword identifierStart identifierPart*
  identifierStart = letter | "_"
  identifierPart = alnum | "_"

  keyword = and | or | not | in | true | false
  and = caseInsensitive<"and"> ~identifierPart
  or = caseInsensitive<"or"> ~identifierPart
  not = caseInsensitive<"not"> ~identifierPart
  in = caseInsensitive<"in"> ~identifierPart
  list = caseInsensitive<"list"> ~identifierPart
  true = caseInsensitive<"true"> ~identifierPart
  false = caseInsensitive<"false"> ~identifierPart
}
`

export const RULE_GRAMMAR = ohm.grammar(RULE_GRAMMAR_SOURCE)
