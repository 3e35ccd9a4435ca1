/** Where a node is in the rule's text: 0-based offset and length in characters. */
export interface Span {
  offset: number
  length: number
}

export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!='
export type ArithmeticOperator = '+' | '-' | '*' | '/'

export type LiteralNode =
  { kind: 'number'; value: number; span: Span } | { kind: 'text'; value: string; span: Span } | { kind: 'bool'; value: boolean; span: Span }

/** The tree the parser builds from a rule's text; the checker gives it types. */
export type RuleNode =
  | LiteralNode
  | { kind: 'field'; name: string; span: Span }
  | { kind: 'call'; name: string; nameSpan: Span; args: RuleNode[]; span: Span }
  | { kind: 'negate'; operand: RuleNode; span: Span }
  | { kind: 'not'; operand: RuleNode; span: Span }
  | { kind: 'logical'; operator: 'and' | 'or'; left: RuleNode; right: RuleNode; span: Span }
  | { kind: 'arithmetic'; operator: ArithmeticOperator; left: RuleNode; right: RuleNode; span: Span }
  | { kind: 'compare'; operator: ComparisonOperator; left: RuleNode; right: RuleNode; span: Span }
  | { kind: 'inList'; negated: boolean; operand: RuleNode; list: string; listSpan: Span; span: Span }
  | { kind: 'inSet'; negated: boolean; operand: RuleNode; items: LiteralNode[]; span: Span }
