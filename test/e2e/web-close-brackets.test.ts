import { EditorSelection, EditorState, type Transaction } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quarryCloseBrackets, typingContext } from '../../web/src/features/search/close-brackets.js';

/**
 * Types text one character at a time through the editor's input handlers, in the order the editor runs
 * them (the same extensions the query editor has), with a stand-in for the view they are given.
 */
function typeKeys(text: string): string {
  let state = EditorState.create({ extensions: [quarryCloseBrackets()] });
  const view = {
    get state() {
      return state;
    },
    compositionStarted: false,
    composing: false,
    dispatch(transaction: Transaction) {
      state = transaction.state;
    },
  } as unknown as EditorView;
  for (const ch of text) {
    const { from, to } = state.selection.main;
    const handled = state
      .facet(EditorView.inputHandler)
      .some((handler) => handler(view, from, to, ch, () => state.update({})));
    if (!handled)
      state = state.update({
        changes: { from, to, insert: ch },
        selection: EditorSelection.cursor(from + ch.length),
      }).state;
  }
  return state.doc.toString();
}

const TYPED = [
  // The reported query: `\"` inside a string is a quote, not the string's end.
  'parse "HTTP/1.1\\" * " as status',
  '_sourceCategory=e2e/web | parse "HTTP/1.1\\" * " as status | count by status',
  'parse "\\"*\\"" as quoted',
  'parse "a\\\\" as backslash',
  'where msg = "say \\"hi\\" (twice)"',
  // Brackets and other quotes inside strings are text.
  'parse regex "(?<ip>\\d+\\.\\d+) \\[(?<when>[^\\]]+)\\]"',
  'parse regex "\\"(?<verb>[A-Z]+) (?<path>[^ \\"]*)"',
  'json field=_raw "a[0].b" as x | where x = "it\'s (odd"',
  'parse "{" as brace',
  // Regex literals: quotes and brackets inside are text.
  'error | where _raw matches /"GET (\\/[a-z]+)"/',
  'error | where _raw matches /it\'s "(quoted)"/ | count',
  // Nested brackets outside strings pair and close.
  'error | if(isNull(a), concat("(", b, ")"), "[x]") as c',
  '(error or (warn and "x(y")) | count by _sourceHost',
  '_sourceCategory={{app}} | count by %"odd \\"name\\""',
  "| csv _raw extract 1 as a, 2 as b quote='\"' escape='\\'",
  "| split _raw delim='(' extract 1 as a",
  'error // a comment with "quotes" and (brackets',
  'error /* it\'s "x" ( */ | count',
  '| where `odd "field"` = "x"',
];

describe('typing in the query editor', () => {
  it.each(TYPED)('gives the typed text: %s', (query) => {
    expect(typeKeys(query)).toBe(query);
  });

  it('still closes brackets and quotes it opened, and moves over them', () => {
    let state = EditorState.create({ extensions: [quarryCloseBrackets()] });
    const view = {
      get state() {
        return state;
      },
      compositionStarted: false,
      dispatch(transaction: Transaction) {
        state = transaction.state;
      },
    } as unknown as EditorView;
    const press = (ch: string): void => {
      const { from, to } = state.selection.main;
      const handled = state
        .facet(EditorView.inputHandler)
        .some((h) => h(view, from, to, ch, () => state.update({})));
      if (!handled)
        state = state.update({
          changes: { from, to, insert: ch },
          selection: EditorSelection.cursor(from + ch.length),
        }).state;
    };
    press('(');
    expect(state.doc.toString()).toBe('()');
    press('"');
    expect(state.doc.toString()).toBe('("")');
    press('\\');
    press('"');
    // The escaped quote is inserted; the closing pair stays after the cursor.
    expect(state.doc.toString()).toBe('("\\"")');
    expect(state.selection.main.head).toBe(4);
    press('"');
    press(')');
    expect(state.doc.toString()).toBe('("\\"")');
    expect(state.selection.main.head).toBe(6);
  });

  it('types any well-formed query as typed (generated queries)', () => {
    const word = fc.constantFrom('a', 'x', 'error', 'count', 'as', 'by', '_raw', 'n1');
    const inString = fc.oneof(
      fc.constantFrom('a', ' ', '*', '(', ')', '[', ']', '{', '}', "'", '/', '\\"', '\\\\', '=', '|'),
      word,
    );
    const string = fc.array(inString, { maxLength: 8 }).map((parts) => `"${parts.join('')}"`);
    const inRegex = fc.oneof(
      fc.constantFrom('a', ' ', '"', "'", '(', ')', '[', ']', '\\/', '\\d', '.*'),
      word,
    );
    const regex = fc.array(inRegex, { maxLength: 6 }).map((parts) => ` matches /${parts.join('')}/`);
    const atom = fc.oneof(word, string, fc.constantFrom(' ', ', ', ' = ', ' | ', '*', '{{p}}', '%"a b"'));
    const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small' },
        fc.array(atom, { minLength: 1, maxLength: 4 }).map((a) => a.join('')),
        fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `${a}(${b})`),
        tie('expr').map((a) => `[${a}]`),
        fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `${a} ${b}`),
      ),
    })).expr;
    const query = fc
      .tuple(expression, fc.option(regex, { nil: '' }), fc.option(expression, { nil: '' }))
      .map(([scope, re, pipeline]) => (re || pipeline ? `${scope} | where x${re} ${pipeline}` : scope));
    fc.assert(
      fc.property(query, (q) => {
        expect(typeKeys(q)).toBe(q);
      }),
      { numRuns: 300 },
    );
  });
});

describe('typing context', () => {
  it('knows strings, escapes, regexes, quoted fields and comments from the lexer', () => {
    expect(typingContext('parse "HTTP/1.1\\')).toEqual({ kind: 'literal', close: '"', isEscaped: true });
    expect(typingContext('parse "a\\\\')).toEqual({ kind: 'literal', close: '"', isEscaped: false });
    expect(typingContext('parse "a" as b')).toEqual({ kind: 'code' });
    expect(typingContext('error | where x matches /a')).toEqual({
      kind: 'literal',
      close: '/',
      isEscaped: false,
    });
    expect(typingContext('error | where x / 2')).toEqual({ kind: 'code' });
    expect(typingContext('| count by %"a')).toEqual({ kind: 'literal', close: '"', isEscaped: false });
    expect(typingContext('| count by `a')).toEqual({ kind: 'literal', close: '`', isEscaped: false });
    expect(typingContext("| csv _raw quote='")).toEqual({ kind: 'literal', close: "'", isEscaped: false });
    expect(typingContext("| csv _raw quote='\"'")).toEqual({ kind: 'code' });
    expect(typingContext('error // it')).toEqual({ kind: 'literal', close: undefined, isEscaped: false });
    expect(typingContext('error // it\n')).toEqual({ kind: 'code' });
    expect(typingContext('error /* it')).toEqual({ kind: 'literal', close: undefined, isEscaped: false });
    expect(typingContext('error /* it */')).toEqual({ kind: 'code' });
    expect(typingContext('error | [subquery: "a')).toEqual({ kind: 'literal', close: '"', isEscaped: false });
  });
});
