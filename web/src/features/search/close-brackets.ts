import { closeBrackets, insertBracket } from '@codemirror/autocomplete';
import { EditorState, Prec, type Extension, type Transaction } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { DIAGNOSTICS } from '../../../../src/query/diagnostics/index.js';
import { TokenKind, tokenize } from '../../../../src/query/lexer/index.js';

/**
 * Auto-closing brackets and quotes that know Quarry's strings. CodeMirror's closeBrackets reads
 * strings from a syntax tree, and this editor has none (Quarry's own lexer highlights it), so inside a
 * string it took an escaped `\"` for the closing quote and skipped over it; the real closing quote
 * then opened a new pair, leaving a stray `"`. Here the lexer decides: inside a string, regex, quoted
 * field or comment a typed bracket or quote is text, and only the unescaped closing quote moves over
 * the one the editor inserted. Typed text therefore comes out as typed, like pasted text.
 */

/** Characters closeBrackets acts on: the ones it pairs and their closing partners. */
const AUTO_CLOSED = ['(', '[', '{', '"'] as const;
const HANDLED = new Set<string>([...AUTO_CLOSED, ')', ']', '}']);

/** Where the text before the cursor leaves the next character. */
export type TypingContext =
  | { kind: 'code' }
  /** Inside a string, regex, quoted field or comment; `close` ends it unless `isEscaped`. */
  | { kind: 'literal'; close: string | undefined; isEscaped: boolean };

const CODE: TypingContext = { kind: 'code' };

function endsWithOddBackslashes(text: string): boolean {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/** The context of a character typed after `before`, by Quarry's lexer. */
export function typingContext(before: string): TypingContext {
  const end = before.length;
  const lexed = tokenize(before);
  const isOpen = (code: string, start: number): boolean =>
    lexed.diagnostics.some((d) => d.code === code && d.span.start === start);

  // A `'` string is open when its `'` has no partner (the lexer then reads on as code, so look for it first).
  const single = lexed.tokens.findLast((t) => t.kind === TokenKind.Unknown && t.text === "'");
  if (
    single &&
    isOpen(DIAGNOSTICS.UnterminatedString.code, single.start) &&
    !before.includes('\n', single.start)
  ) {
    return { kind: 'literal', close: "'", isEscaped: false };
  }
  const comment = lexed.comments.at(-1);
  if (
    comment &&
    comment.end === end &&
    (comment.text.startsWith('//') || comment.text.length < 4 || !comment.text.endsWith('*/'))
  ) {
    return { kind: 'literal', close: undefined, isEscaped: false };
  }
  const last = lexed.tokens.at(-2);
  if (!last || last.end !== end) return CODE;
  switch (last.kind) {
    case TokenKind.String:
      return isOpen(DIAGNOSTICS.UnterminatedString.code, last.start)
        ? { kind: 'literal', close: '"', isEscaped: endsWithOddBackslashes(last.text.slice(1)) }
        : CODE;
    case TokenKind.Regex:
      return isOpen(DIAGNOSTICS.UnterminatedRegex.code, last.start)
        ? { kind: 'literal', close: '/', isEscaped: endsWithOddBackslashes(last.text.slice(1)) }
        : CODE;
    case TokenKind.QuotedField:
      if (!isOpen(DIAGNOSTICS.UnterminatedQuotedField.code, last.start)) return CODE;
      // `%"odd name"` has escapes; `` `odd name` `` has none.
      return last.text.startsWith('%')
        ? { kind: 'literal', close: '"', isEscaped: endsWithOddBackslashes(last.text.slice(2)) }
        : { kind: 'literal', close: '`', isEscaped: false };
    case TokenKind.Subquery:
      // An open `[subquery: …]`: its inside is a query of its own.
      return isOpen(DIAGNOSTICS.UnbalancedBracket.code, last.start)
        ? typingContext(before.slice(last.start + 1))
        : CODE;
    default:
      return CODE;
  }
}

/**
 * The transaction for typing `text` at the cursor when the cursor is inside a literal; null when
 * closeBrackets (or plain insertion) should handle it.
 */
export function typeInLiteral(state: EditorState, text: string): Transaction | null {
  const { ranges, main } = state.selection;
  if (ranges.length !== 1 || !main.empty || !HANDLED.has(text)) return null;
  const pos = main.head;
  const context = typingContext(state.doc.sliceString(0, pos));
  if (context.kind === 'code') return null;
  if (
    !context.isEscaped &&
    text === context.close &&
    state.doc.sliceString(pos, pos + text.length) === text
  ) {
    // The closing quote: closeBrackets moves over the one it inserted (and answers null for any other).
    const skip = insertBracket(state, text);
    if (skip) return skip;
  }
  return state.update({
    changes: { from: pos, insert: text },
    selection: { anchor: pos + text.length },
    scrollIntoView: true,
    userEvent: 'input.type',
  });
}

const literalInput = EditorView.inputHandler.of((view, from, to, text) => {
  if (view.compositionStarted || view.state.readOnly) return false;
  const { main } = view.state.selection;
  if (from !== main.from || to !== main.to) return false;
  const transaction = typeInLiteral(view.state, text);
  if (!transaction) return false;
  view.dispatch(transaction);
  return true;
});

/**
 * closeBrackets for Quarry: `(`, `[`, `{` and `"` pair, except inside literals. `'` does not pair: it
 * quotes only one-character csv/split options (`quote='"'`) and is a plain character in search terms.
 */
export function quarryCloseBrackets(): Extension {
  return [
    Prec.high(literalInput),
    closeBrackets(),
    EditorState.languageData.of(() => [{ closeBrackets: { brackets: [...AUTO_CLOSED] } }]),
  ];
}
