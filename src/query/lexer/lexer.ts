import { DIAGNOSTICS } from '../diagnostics/catalog.js';
import { makeDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { TokenKind, type Comment, type Token } from './token.js';

/** Result of scanning a query: tokens (ending with EOF), comments, and lexical diagnostics. */
export interface LexResult {
  tokens: Token[];
  comments: Comment[];
  diagnostics: Diagnostic[];
}

/** Sumo documents letters, digits and `_`; real templates also use dots and dashes. */
const PARAMETER_NAME = /^[A-Za-z0-9_.-]+$/;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isIdentStart(c: string | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || c === '@')
  );
}
function isIdentPart(c: string | undefined): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0';
}
/** Characters that end a scope term. */
function endsScopeWord(text: string, i: number): boolean {
  const c = text[i];
  if (c === undefined || isSpace(c)) return true;
  if (c === '(' || c === ')' || c === '"' || c === '|' || c === '=') return true;
  if (c === '!' && text[i + 1] === '=') return true;
  return false;
}

/** Words after which a `/` starts a regex literal rather than a division. */
const REGEX_PRECEDING_WORDS = new Set(['matches', 'and', 'or', 'not', 'where', 'in']);

/** Token kinds after which a `/` is a division and `%` is a modulo (they end an operand). */
const OPERAND_END: ReadonlySet<TokenKind> = new Set<TokenKind>([
  TokenKind.Word,
  TokenKind.Number,
  TokenKind.String,
  TokenKind.SingleString,
  TokenKind.QuotedField,
  TokenKind.Parameter,
  TokenKind.RParen,
  TokenKind.RBracket,
  TokenKind.Regex,
]);

/**
 * Scans a query. The text before the first top-level `|` is scanned in scope mode (search terms are
 * whole words such as `prod/web*` or `10.1.2.3`); the rest in pipeline mode. Never throws.
 */
export function tokenize(text: string): LexResult {
  return new Lexer(text).run();
}

class Lexer {
  private pos = 0;
  private inScope = true;
  private spaceBefore = false;
  /** Parenthesis depth in pipeline mode (decides whether `||` is "or" or two pipes). */
  private parenDepth = 0;
  private readonly tokens: Token[] = [];
  private readonly comments: Comment[] = [];
  private readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly text: string) {}

  run(): LexResult {
    const { text } = this;
    while (this.pos < text.length) {
      if (this.skipTrivia()) continue;
      if (this.pos >= text.length) break;
      if (this.inScope) this.scanScopeToken();
      else this.scanPipelineToken();
    }
    this.tokens.push(this.make(TokenKind.EOF, text.length, text.length));
    return { tokens: this.tokens, comments: this.comments, diagnostics: this.diagnostics };
  }

  /** Skips whitespace and comments; true when something was skipped. */
  private skipTrivia(): boolean {
    const { text } = this;
    const c = text[this.pos];
    if (isSpace(c)) {
      while (isSpace(text[this.pos])) this.pos++;
      this.spaceBefore = true;
      return true;
    }
    if (c === '/' && text[this.pos + 1] === '/' && text[this.pos - 1] !== ':') {
      const start = this.pos;
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      this.comments.push({ start, end, text: text.slice(start, end) });
      this.pos = end;
      this.spaceBefore = true;
      return true;
    }
    if (c === '/' && text[this.pos + 1] === '*') {
      const start = this.pos;
      const close = text.indexOf('*/', start + 2);
      const end = close < 0 ? text.length : close + 2;
      if (close < 0)
        this.diagnostics.push(makeDiagnostic(DIAGNOSTICS.UnterminatedComment, { start, end: start + 2 }));
      this.comments.push({ start, end, text: text.slice(start, end) });
      this.pos = end;
      this.spaceBefore = true;
      return true;
    }
    return false;
  }

  private make(kind: TokenKind, start: number, end: number, value?: string): Token {
    const token: Token = {
      kind,
      start,
      end,
      text: this.text.slice(start, end),
      spaceBefore: this.spaceBefore,
      inScope: this.inScope,
    };
    if (value !== undefined) token.value = value;
    return token;
  }

  private push(kind: TokenKind, start: number, end: number, value?: string): void {
    this.tokens.push(this.make(kind, start, end, value));
    this.spaceBefore = false;
    this.pos = end;
  }

  private previous(): Token | undefined {
    return this.tokens[this.tokens.length - 1];
  }

  private regexAllowed(): boolean {
    if (this.inScope) return false;
    const prev = this.previous();
    if (prev === undefined) return true;
    if (prev.kind === TokenKind.Word) return REGEX_PRECEDING_WORDS.has(prev.text.toLowerCase());
    return !OPERAND_END.has(prev.kind);
  }

  // ---------------------------------------------------------------------------------------------
  // Scope mode
  // ---------------------------------------------------------------------------------------------

  /** `[subquery: …]` up to the matching `]` (strings skipped); false when not at a subquery. */
  private scanSubquery(start: number): boolean {
    const { text } = this;
    if (!/^\[\s*subquery\b/i.test(text.slice(start, start + 20))) return false;
    let depth = 0;
    let i = start;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === '"') {
        i++;
        while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      } else if (c === '[') depth++;
      else if (c === ']') {
        depth--;
        if (depth === 0) break;
      }
      i++;
    }
    if (i >= text.length) {
      this.diagnostics.push(makeDiagnostic(DIAGNOSTICS.UnbalancedBracket, { start, end: start + 1 }));
      this.push(TokenKind.Subquery, start, text.length);
      return true;
    }
    this.push(TokenKind.Subquery, start, i + 1);
    return true;
  }

  private scanScopeToken(): void {
    const { text } = this;
    const start = this.pos;
    const c = text[start]!;
    if (c === '[' && this.scanSubquery(start)) return;
    if (c === '%' && text[start + 1] === '"') {
      this.scanPercent(start);
      return;
    }
    switch (c) {
      case '|':
        this.push(TokenKind.Pipe, start, start + 1);
        this.inScope = false;
        return;
      case '(':
        this.push(TokenKind.LParen, start, start + 1);
        return;
      case ')':
        this.push(TokenKind.RParen, start, start + 1);
        return;
      case '"':
        this.scanDoubleQuoted(start);
        return;
      case '=':
        this.push(TokenKind.Equal, start, text[start + 1] === '=' ? start + 2 : start + 1);
        return;
      case '!':
        if (text[start + 1] === '=') this.push(TokenKind.NotEqual, start, start + 2);
        else this.push(TokenKind.Bang, start, start + 1);
        return;
      default:
        break;
    }
    if (c === '{' && text[start + 1] === '{') {
      const close = text.indexOf('}}', start + 2);
      if (close > 0 && endsScopeWord(text, close + 2) && !/[\n|]/.test(text.slice(start, close))) {
        this.pushParameter(start, close + 2);
        return;
      }
    }
    let i = start;
    while (!endsScopeWord(text, i)) {
      if (text[i] === '{' && text[i + 1] === '{') {
        const close = text.indexOf('}}', i + 2);
        if (close > 0 && !/[\n|]/.test(text.slice(i, close))) {
          i = close + 2;
          continue;
        }
      }
      if (text[i] === '\\' && i + 1 < text.length && !isSpace(text[i + 1])) {
        i += 2;
        continue;
      }
      i++;
    }
    this.push(TokenKind.Word, start, Math.max(i, start + 1));
  }

  // ---------------------------------------------------------------------------------------------
  // Pipeline mode
  // ---------------------------------------------------------------------------------------------

  private scanPipelineToken(): void {
    const { text } = this;
    const start = this.pos;
    const c = text[start]!;
    const n = text[start + 1];
    if (isIdentStart(c)) {
      this.scanIdentifier(start);
      return;
    }
    if (isDigit(c) || (c === '.' && isDigit(n) && this.previous()?.kind !== TokenKind.Word)) {
      this.scanNumber(start);
      return;
    }
    switch (c) {
      case '"':
        this.scanDoubleQuoted(start);
        return;
      case "'":
        this.scanSingleQuoted(start);
        return;
      case '`':
        this.scanBackquoted(start);
        return;
      case '|':
        // `||` means "or" only inside parentheses (`if(isNull(a) || a = "", …)`, seen in real
        // queries); at the top level it is two pipes around an empty stage.
        if (n === '|' && this.parenDepth > 0) this.push(TokenKind.OrOr, start, start + 2);
        else this.push(TokenKind.Pipe, start, start + 1);
        return;
      case '(':
        this.parenDepth++;
        this.push(TokenKind.LParen, start, start + 1);
        return;
      case ')':
        this.parenDepth = Math.max(0, this.parenDepth - 1);
        this.push(TokenKind.RParen, start, start + 1);
        return;
      case '[':
        if (!this.scanSubquery(start)) this.push(TokenKind.LBracket, start, start + 1);
        return;
      case ']':
        this.push(TokenKind.RBracket, start, start + 1);
        return;
      case ',':
        this.push(TokenKind.Comma, start, start + 1);
        return;
      case '=':
        this.push(
          n === '=' ? TokenKind.EqualEqual : TokenKind.Equal,
          start,
          n === '=' ? start + 2 : start + 1,
        );
        return;
      case '!':
        this.push(n === '=' ? TokenKind.NotEqual : TokenKind.Bang, start, n === '=' ? start + 2 : start + 1);
        return;
      case '<':
        if (n === '>') this.push(TokenKind.LessGreater, start, start + 2);
        else if (n === '=') this.push(TokenKind.LessEqual, start, start + 2);
        else this.push(TokenKind.Less, start, start + 1);
        return;
      case '>':
        this.push(
          n === '=' ? TokenKind.GreaterEqual : TokenKind.Greater,
          start,
          n === '=' ? start + 2 : start + 1,
        );
        return;
      case '+':
        this.push(TokenKind.Plus, start, start + 1);
        return;
      case '-':
        this.push(TokenKind.Minus, start, start + 1);
        return;
      case '*':
        this.push(TokenKind.Star, start, start + 1);
        return;
      case '?':
        this.push(TokenKind.Question, start, start + 1);
        return;
      case ':':
        this.push(TokenKind.Colon, start, start + 1);
        return;
      case '&':
        if (n === '&') this.push(TokenKind.AndAnd, start, start + 2);
        else this.push(TokenKind.Unknown, start, start + 1);
        return;
      case '/':
        if (this.regexAllowed()) this.scanRegex(start);
        else this.push(TokenKind.Slash, start, start + 1);
        return;
      case '%':
        this.scanPercent(start);
        return;
      case '{':
        this.scanParameter(start);
        return;
      default:
        this.push(TokenKind.Unknown, start, start + 1);
    }
  }

  private scanIdentifier(start: number): void {
    const { text } = this;
    let i = start + 1;
    while (isIdentPart(text[i])) i++;
    // URL-like words (`path://"/Library/x"`, `geo://location`, `https://host/a.csv`) are one token.
    if (text.startsWith('://', i)) {
      i += 3;
      while (i < text.length && !isSpace(text[i]) && text[i] !== ',' && text[i] !== ')' && text[i] !== '|') {
        if (text[i] === '"') {
          const close = text.indexOf('"', i + 1);
          i = close < 0 ? text.length : close + 1;
        } else i++;
      }
      this.push(TokenKind.Word, start, i);
      return;
    }
    i = this.identifierEnd(i);
    this.push(TokenKind.Word, start, i);
  }

  /**
   * Extends an identifier from `i`: more identifier characters, `.part`s (`a.b`, `ar.window`), and glued
   * template parameters (`bytes_{{unit}}`), which real templates use to build field names.
   */
  private identifierEnd(from: number): number {
    const { text } = this;
    let i = from;
    for (;;) {
      while (isIdentPart(text[i])) i++;
      if (text[i] === '.' && isIdentPart(text[i + 1])) {
        i++;
        continue;
      }
      if (text[i] === '{' && text[i + 1] === '{') {
        const close = text.indexOf('}}', i + 2);
        if (close > 0 && PARAMETER_NAME.test(text.slice(i + 2, close).trim())) {
          i = close + 2;
          continue;
        }
      }
      return i;
    }
  }

  private scanNumber(start: number): void {
    const { text } = this;
    let i = start;
    while (isDigit(text[i])) i++;
    if (text[i] === '.' && isDigit(text[i + 1])) {
      i++;
      while (isDigit(text[i])) i++;
    } else if (
      text[i] === '.' &&
      !isIdentPart(text[i - 1] === '.' ? undefined : text[i + 1]) &&
      text[i + 1] !== '.'
    ) {
      // `0.` (a trailing dot, as in `x > 0.and y`): part of the number.
      i++;
      this.push(TokenKind.Number, start, i);
      return;
    } else if (text[i] === '.' && isLetter(text[i + 1]) && /^\.(and|or)\b/i.test(text.slice(i, i + 5))) {
      i++;
      this.push(TokenKind.Number, start, i);
      return;
    }
    if (
      (text[i] === 'e' || text[i] === 'E') &&
      (isDigit(text[i + 1]) || ((text[i + 1] === '+' || text[i + 1] === '-') && isDigit(text[i + 2])))
    ) {
      i += 2;
      while (isDigit(text[i])) i++;
    }
    // Suffix glued on: units (`5m`, `10Gi`) or digits-first words the parser may accept as names.
    while (isIdentPart(text[i])) i++;
    this.push(TokenKind.Number, start, i);
  }

  private scanDoubleQuoted(start: number): void {
    const { text } = this;
    let i = start + 1;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) i += 2;
      else i++;
    }
    if (i >= text.length) {
      this.diagnostics.push(makeDiagnostic(DIAGNOSTICS.UnterminatedString, { start, end: text.length }));
      this.push(TokenKind.String, start, text.length, text.slice(start + 1));
      return;
    }
    this.push(TokenKind.String, start, i + 1, text.slice(start + 1, i));
  }

  private scanSingleQuoted(start: number): void {
    const { text } = this;
    // `'x'` is always one character, even when x is `'` or `\` (csv/split: quote=''' escape='\').
    if (start + 2 < text.length && text[start + 2] === "'" && text[start + 1] !== '\n') {
      this.push(TokenKind.SingleString, start, start + 3, text[start + 1]);
      return;
    }
    const close = text.indexOf("'", start + 1);
    const newline = text.indexOf('\n', start + 1);
    if (close < 0 || (newline >= 0 && newline < close)) {
      this.diagnostics.push(makeDiagnostic(DIAGNOSTICS.UnterminatedString, { start, end: start + 1 }));
      this.push(TokenKind.Unknown, start, start + 1);
      return;
    }
    this.push(TokenKind.SingleString, start, close + 1, text.slice(start + 1, close));
  }

  private scanBackquoted(start: number): void {
    const { text } = this;
    const close = text.indexOf('`', start + 1);
    if (close < 0) {
      this.diagnostics.push(makeDiagnostic(DIAGNOSTICS.UnterminatedQuotedField, { start, end: text.length }));
      this.push(TokenKind.QuotedField, start, text.length, text.slice(start + 1));
      return;
    }
    this.push(TokenKind.QuotedField, start, close + 1, text.slice(start + 1, close));
  }

  private scanRegex(start: number): void {
    const { text } = this;
    let i = start + 1;
    while (i < text.length && text[i] !== '/' && text[i] !== '\n') {
      if (text[i] === '\\' && i + 1 < text.length && text[i + 1] !== '\n') i += 2;
      else i++;
    }
    if (text[i] !== '/') {
      this.diagnostics.push(makeDiagnostic(DIAGNOSTICS.UnterminatedRegex, { start, end: i }));
      this.push(TokenKind.Regex, start, i, text.slice(start + 1, i));
      return;
    }
    // Flags after the closing slash (`/create/i`) become an inline group: `(?i)create`.
    let end = i + 1;
    while (isLetter(text[end])) end++;
    const flags = text.slice(i + 1, end);
    const source = text.slice(start + 1, i);
    this.push(TokenKind.Regex, start, end, flags === '' ? source : `(?${flags})${source}`);
  }

  private scanPercent(start: number): void {
    const { text } = this;
    const n = text[start + 1];
    if (n === '"') {
      let i = start + 2;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i += 2;
        else i++;
      }
      if (i >= text.length) {
        this.diagnostics.push(
          makeDiagnostic(DIAGNOSTICS.UnterminatedQuotedField, { start, end: text.length }),
        );
        this.push(TokenKind.QuotedField, start, text.length, text.slice(start + 2).replace(/\\"/g, '"'));
        return;
      }
      this.push(TokenKind.QuotedField, start, i + 1, text.slice(start + 2, i).replace(/\\"/g, '"'));
      return;
    }
    const prev = this.previous();
    if ((n === ' ' || n === '\t') && prev?.kind === TokenKind.Word && /^(as|by)$/i.test(prev.text)) {
      // `as % "name"` (a space after the %) — seen in real queries.
      let j = start + 1;
      while (text[j] === ' ' || text[j] === '\t') j++;
      if (text[j] === '"') {
        const close = text.indexOf('"', j + 1);
        if (close > 0) {
          this.push(TokenKind.QuotedField, start, close + 1, text.slice(j + 1, close));
          return;
        }
      }
    }
    // `%name` is a field when it cannot be a modulo: in operand position, or `x %name` (space before,
    // none after), which real queries use after keywords (`where %type = …`).
    const isOperandPosition =
      prev === undefined || !OPERAND_END.has(prev.kind) || (this.spaceBefore && isIdentStart(n));
    if (isOperandPosition && (isIdentPart(n) || n === '[')) {
      let i = start + 1;
      while (
        i < text.length &&
        (isIdentPart(text[i]) || text[i] === '.' || text[i] === '[' || text[i] === ']' || text[i] === '-')
      )
        i++;
      this.push(TokenKind.QuotedField, start, i, text.slice(start + 1, i));
      return;
    }
    this.push(TokenKind.Percent, start, start + 1);
  }

  private scanParameter(start: number): void {
    const { text } = this;
    if (text[start + 1] !== '{') {
      this.push(TokenKind.Unknown, start, start + 1);
      return;
    }
    const close = text.indexOf('}}', start + 2);
    if (close < 0 || /[\n|]/.test(text.slice(start, close))) {
      this.diagnostics.push(makeDiagnostic(DIAGNOSTICS.UnterminatedParameter, { start, end: start + 2 }));
      this.push(TokenKind.Unknown, start, start + 2);
      return;
    }
    // `{{unit}}_error`: a parameter glued to identifier characters is part of a field name.
    if (isIdentPart(text[close + 2])) {
      this.push(TokenKind.Word, start, this.identifierEnd(close + 2));
      return;
    }
    this.pushParameter(start, close + 2);
  }

  private pushParameter(start: number, end: number): void {
    const name = this.text.slice(start + 2, end - 2).trim();
    if (!PARAMETER_NAME.test(name)) {
      this.diagnostics.push(makeDiagnostic(DIAGNOSTICS.InvalidParameterName, { start, end }, { name }));
    }
    this.push(TokenKind.Parameter, start, end, name);
  }
}

/** True when a word token (case-insensitively) equals `word`. */
export function isWord(token: Token | undefined, word: string): boolean {
  return token !== undefined && token.kind === TokenKind.Word && token.text.toLowerCase() === word;
}

export { isLetter };
