/** Token kinds of the query language. Scope-mode and pipeline-mode share this set. */
export const TokenKind = {
  /** Identifier in the pipeline (`count`, `_sourceHost`, `a.b`); a bare search term in the scope. */
  Word: 'Word',
  /** Number with an optional suffix glued on: `42`, `1.5e3`, `5m`, `10Gi`. */
  Number: 'Number',
  /** `"…"`; `value` is the raw text between the quotes (escapes not processed). */
  String: 'String',
  /** `'…'` (only meaningful in csv/split options); `value` is the text between the quotes. */
  SingleString: 'SingleString',
  /** `/…/`; `value` is the text between the slashes. */
  Regex: 'Regex',
  /** `{{name}}`; `value` is the trimmed name. */
  Parameter: 'Parameter',
  /** `%"odd name"`, `%name[2].x`, `` `odd name` ``; `value` is the unescaped name. */
  QuotedField: 'QuotedField',
  /** `[subquery: … ]` as a whole (not supported yet; kept so its inner `|` do not split the query). */
  Subquery: 'Subquery',
  Pipe: '|',
  LParen: '(',
  RParen: ')',
  LBracket: '[',
  RBracket: ']',
  Comma: ',',
  Equal: '=',
  EqualEqual: '==',
  NotEqual: '!=',
  LessGreater: '<>',
  Less: '<',
  LessEqual: '<=',
  Greater: '>',
  GreaterEqual: '>=',
  Plus: '+',
  Minus: '-',
  Star: '*',
  Slash: '/',
  Percent: '%',
  Bang: '!',
  Question: '?',
  Colon: ':',
  AndAnd: '&&',
  /** `||` inside parentheses ("or"); at the top level `||` is two pipes. */
  OrOr: '||',
  /** Any other character; the lexer does not complain, the parser does when it matters. */
  Unknown: 'Unknown',
  EOF: 'EOF',
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

export interface Token {
  kind: TokenKind;
  /** Offset of the first character. */
  start: number;
  /** Offset after the last character. */
  end: number;
  /** Source text of the token. */
  text: string;
  /** Decoded payload for strings, regexes, parameters and quoted fields. */
  value?: string;
  /** True when whitespace or a comment precedes the token (used to glue wildcard names). */
  spaceBefore: boolean;
  /** True for tokens scanned in scope mode (before the first top-level `|`). */
  inScope: boolean;
}

export interface Comment {
  start: number;
  end: number;
  text: string;
}
