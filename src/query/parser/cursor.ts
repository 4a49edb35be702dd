import type { Span } from '../ast.js';
import type { DiagnosticDefinition } from '../diagnostics/catalog.js';
import { DIAGNOSTICS } from '../diagnostics/catalog.js';
import { makeDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { TokenKind, type Token } from '../lexer/token.js';

/** Thrown inside the parser to abandon the current stage after a diagnostic; never escapes parseQuery. */
export class StageAbort extends Error {
  constructor() {
    super('stage aborted');
    this.name = 'StageAbort';
  }
}

/** Shared state of one parse. */
export interface ParseContext {
  text: string;
  diagnostics: Diagnostic[];
  /** Current expression nesting depth (guards against stack overflow). */
  depth: number;
}

export const MAX_DEPTH = 200;

/** A cursor over the tokens of one pipeline segment `[index, end)`; `tokens[end]` is its `|` or EOF. */
export class Cursor {
  index: number;
  /** End offset of the last consumed token (for spans). */
  lastEnd: number;

  constructor(
    readonly ctx: ParseContext,
    readonly tokens: readonly Token[],
    start: number,
    readonly end: number,
  ) {
    this.index = start;
    this.lastEnd = tokens[start]?.start ?? 0;
  }

  /** The token `offset` ahead; the segment terminator (seen as EOF) when past the end. */
  peek(offset = 0): Token {
    const i = this.index + offset;
    if (i < this.end) return this.tokens[i]!;
    const terminator = this.tokens[this.end]!;
    return { ...terminator, kind: TokenKind.EOF, end: terminator.start, text: '' };
  }

  /**
   * True at the end of the segment. A run of `{{param}}` tokens that is all that is left counts as the
   * end: real templates use a raw (ANY) parameter as a whole filter (`… as date {{post_filter}}`); it is
   * consumed with a warning.
   */
  atEnd(): boolean {
    if (this.index >= this.end) return true;
    for (let i = this.index; i < this.end; i++)
      if (this.tokens[i]!.kind !== TokenKind.Parameter) return false;
    while (this.index < this.end) {
      const t = this.next();
      this.report(DIAGNOSTICS.ParameterInLiteral, { start: t.start, end: t.end }, { name: t.value ?? '' });
    }
    return true;
  }

  next(): Token {
    const token = this.peek();
    if (this.index < this.end) {
      this.index++;
      this.lastEnd = token.end;
    }
    return token;
  }

  is(kind: TokenKind, offset = 0): boolean {
    return this.peek(offset).kind === kind;
  }

  isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === TokenKind.Word && t.text.toLowerCase() === word;
  }

  accept(kind: TokenKind): Token | undefined {
    return this.is(kind) ? this.next() : undefined;
  }

  acceptWord(word: string): Token | undefined {
    return this.isWord(word) ? this.next() : undefined;
  }

  expect(kind: TokenKind, expected: string): Token {
    if (this.is(kind)) return this.next();
    return this.failUnexpected(expected);
  }

  expectWord(word: string): Token {
    if (this.isWord(word)) return this.next();
    return this.failUnexpected(`"${word}"`);
  }

  /** How the current token reads in a message. */
  describe(token: Token = this.peek()): string {
    return describeToken(token, this.tokens[this.end]);
  }

  spanFrom(start: number): Span {
    return { start, end: Math.max(start, this.lastEnd) };
  }

  report(
    definition: DiagnosticDefinition,
    span: Span,
    args: Record<string, string | number> = {},
    hint?: string,
  ): void {
    this.ctx.diagnostics.push(makeDiagnostic(definition, span, args, hint));
  }

  fail(
    definition: DiagnosticDefinition,
    span: Span,
    args: Record<string, string | number> = {},
    hint?: string,
  ): never {
    this.report(definition, span, args, hint);
    throw new StageAbort();
  }

  /** Where a missing token would go: right after the last consumed token at the end of a segment. */
  spanOfCurrent(): Span {
    const token = this.peek();
    if (token.kind === TokenKind.EOF) return { start: this.lastEnd, end: this.lastEnd };
    return { start: token.start, end: Math.max(token.end, token.start + 1) };
  }

  failUnexpected(expected: string, hint?: string): never {
    const token = this.peek();
    const span = this.spanOfCurrent();
    if (token.kind === TokenKind.Unknown) {
      return this.fail(DIAGNOSTICS.UnexpectedCharacter, span, { char: token.text }, hint);
    }
    return this.fail(DIAGNOSTICS.UnexpectedToken, span, { expected, found: this.describe(token) }, hint);
  }
}

/** Human description of a token for messages. */
export function describeToken(token: Token, terminator?: Token): string {
  switch (token.kind) {
    case TokenKind.EOF:
      return terminator !== undefined && terminator.kind === TokenKind.Pipe
        ? 'end of stage ("|")'
        : 'end of query';
    case TokenKind.String: {
      const body = token.text.length > 24 ? `${token.text.slice(0, 21)}…` : token.text;
      return `string ${body}`;
    }
    case TokenKind.Number:
      return `number ${token.text}`;
    case TokenKind.Word:
      return `"${token.text.length > 30 ? `${token.text.slice(0, 27)}…` : token.text}"`;
    default:
      return `"${token.text.length > 30 ? `${token.text.slice(0, 27)}…` : token.text}"`;
  }
}
