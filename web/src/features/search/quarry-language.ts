import { autocompletion, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { linter, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { RangeSetBuilder, type Extension } from '@codemirror/state';
import { Decoration, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';
import { AGGREGATES, FUNCTIONS, OPERATORS, UNSUPPORTED_OPERATORS } from '../../../../src/query/catalog/index.js';
import type { Diagnostic } from '../../../../src/query/diagnostics/index.js';
import { TokenKind, tokenize, type Token } from '../../../../src/query/lexer/index.js';
import { parseQuery } from '../../../../src/query/parser/index.js';

/**
 * Quarry's query language in CodeMirror: highlighting from Quarry's own lexer, completion from its
 * catalog, and the parser's diagnostics as lint marks (message on hover).
 */

/** Built-in metadata fields (DESIGN.md I6) offered by completion. */
export const METADATA_FIELDS = [
  '_sourceCategory',
  '_sourceHost',
  '_sourceName',
  '_collector',
  '_source',
  '_messageTime',
  '_receiptTime',
  '_raw',
  '_size',
  '_format',
  '_index',
  '_view',
  '_messageCount',
] as const;

const PIPELINE_KEYWORDS = ['as', 'by', 'nodrop', 'and', 'or', 'not', 'in', 'matches', 'regex', 'multi', 'field', 'from', 'asc', 'desc', 'true', 'false', 'null'];
const SCOPE_KEYWORDS = new Set(['and', 'or', 'not']);
const KEYWORD_SET = new Set(PIPELINE_KEYWORDS);

/** CSS class of each token, by kind and by what a word means where it stands. */
function classify(tokens: readonly Token[]): { from: number; to: number; cls: string }[] {
  const marks: { from: number; to: number; cls: string }[] = [];
  let stageStart = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    let cls: string | undefined;
    switch (token.kind) {
      case TokenKind.Word: {
        const lower = token.text.toLowerCase();
        const next = tokens[i + 1];
        if (token.inScope) {
          if (SCOPE_KEYWORDS.has(lower)) cls = 'q-kw';
          else if (token.text.startsWith('_')) cls = 'q-meta';
        } else if (stageStart) {
          cls = 'q-op';
        } else if (next?.kind === TokenKind.LParen && (FUNCTIONS.has(lower) || AGGREGATES.has(lower))) {
          cls = 'q-fn';
        } else if (KEYWORD_SET.has(lower)) {
          cls = 'q-kw';
        } else if (token.text.startsWith('_')) {
          cls = 'q-meta';
        }
        break;
      }
      case TokenKind.String:
      case TokenKind.SingleString:
        cls = 'q-str';
        break;
      case TokenKind.Number:
        cls = 'q-num';
        break;
      case TokenKind.Regex:
        cls = 'q-re';
        break;
      case TokenKind.Parameter:
        cls = 'q-param';
        break;
      case TokenKind.QuotedField:
        cls = 'q-meta';
        break;
      case TokenKind.Pipe:
        cls = 'q-pipe';
        break;
      case TokenKind.Subquery:
        cls = 'q-sub';
        break;
      case TokenKind.EOF:
        break;
      default:
        cls = token.kind === TokenKind.Unknown ? undefined : 'q-punct';
    }
    if (cls && token.end > token.start) marks.push({ from: token.start, to: token.end, cls });
    stageStart = token.kind === TokenKind.Pipe;
  }
  return marks;
}

function highlight(view: EditorView): DecorationSet {
  const text = view.state.doc.toString();
  const lexed = tokenize(text);
  const marks = classify(lexed.tokens);
  for (const comment of lexed.comments) marks.push({ from: comment.start, to: comment.end, cls: 'q-comment' });
  marks.sort((a, b) => a.from - b.from || a.to - b.to);
  const builder = new RangeSetBuilder<Decoration>();
  let last = -1;
  for (const mark of marks) {
    if (mark.from < last) continue;
    builder.add(mark.from, mark.to, Decoration.mark({ class: mark.cls }));
    last = mark.to;
  }
  return builder.finish();
}

const highlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = highlight(view);
    }
    update(update: ViewUpdate): void {
      if (update.docChanged) this.decorations = highlight(update.view);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

/** Operators first-class in a stage position; aggregates too (`| count by x`). */
const STAGE_COMPLETIONS: Completion[] = [
  ...[...OPERATORS].map(([name, info]) => ({
    label: name,
    type: 'keyword',
    detail: info.synonymOf ? `→ ${info.synonymOf}` : info.kind,
    boost: info.synonymOf ? -1 : 1,
  })),
  ...[...AGGREGATES].map(([name, info]) => ({ label: name, type: 'function', detail: info.synonymOf ? `→ ${info.synonymOf}` : 'aggregate' })),
  ...[...UNSUPPORTED_OPERATORS].map((name) => ({ label: name, type: 'keyword', detail: 'not supported yet', boost: -2 })),
];
const FIELD_COMPLETIONS: Completion[] = METADATA_FIELDS.map((name) => ({ label: name, type: 'property', detail: 'metadata' }));
const EXPRESSION_COMPLETIONS: Completion[] = [
  ...[...FUNCTIONS].map(([, info]) => ({ label: info.displayName, type: 'function', detail: info.category })),
  ...[...AGGREGATES].filter(([, info]) => !info.synonymOf).map(([name]) => ({ label: name, type: 'function', detail: 'aggregate' })),
  ...PIPELINE_KEYWORDS.map((word) => ({ label: word, type: 'keyword' })),
  ...FIELD_COMPLETIONS,
];
const SCOPE_COMPLETIONS: Completion[] = [...FIELD_COMPLETIONS, ...['AND', 'OR', 'NOT'].map((word) => ({ label: word, type: 'keyword' }))];

/** Completions by position: after `|` an operator, in the pipeline functions and fields, in the scope metadata. */
export function completeQuery(context: CompletionContext, extraFields: () => readonly string[] = () => []): CompletionResult | null {
  const word = context.matchBefore(/[A-Za-z_][\w.]*/);
  if (!word && !context.explicit) return null;
  const from = word ? word.from : context.pos;
  const before = context.state.doc.sliceString(0, from);
  // After `as` comes a new field name: nothing to suggest, and a popup would only get in the way.
  if (!context.explicit && /\bas\s+$/i.test(before)) return null;
  const extra = extraFields().map((name) => ({ label: name, type: 'variable', detail: 'in results', boost: 2 }));
  let options: Completion[];
  if (/\|\s*$/.test(before)) options = STAGE_COMPLETIONS;
  else if (tokenize(before).tokens.some((t) => t.kind === TokenKind.Pipe)) options = [...EXPRESSION_COMPLETIONS, ...extra];
  else options = [...SCOPE_COMPLETIONS, ...extra];
  return { from, options, validFor: /^[\w.]*$/ };
}

/** Parser diagnostics as CodeMirror lint marks; an empty span marks one character so it can be seen. */
export function toLintDiagnostics(diagnostics: readonly Diagnostic[], length: number): CmDiagnostic[] {
  return diagnostics.map((d) => {
    let from = Math.max(0, Math.min(d.span.start, length));
    let to = Math.max(from, Math.min(d.span.end, length));
    if (to === from) {
      if (to < length) to++;
      else if (from > 0) from--;
    }
    const hint = d.hint ? ` — ${d.hint}` : '';
    return { from, to, severity: d.severity === 'warning' ? 'warning' : 'error', message: `${d.message}${hint}`, source: d.code };
  });
}

/** The language extension: highlighting, completion and debounced parsing with diagnostics. */
export function quarryLanguage(options: { onDiagnostics?: (diagnostics: Diagnostic[]) => void; fields?: () => readonly string[] }): Extension {
  return [
    highlighter,
    autocompletion({ override: [(context) => completeQuery(context, options.fields)], activateOnTyping: true, icons: false }),
    linter(
      (view) => {
        const text = view.state.doc.toString();
        const diagnostics = text.trim() === '' ? [] : parseQuery(text).diagnostics;
        options.onDiagnostics?.(diagnostics);
        return toLintDiagnostics(diagnostics, text.length);
      },
      { delay: 250 },
    ),
  ];
}
