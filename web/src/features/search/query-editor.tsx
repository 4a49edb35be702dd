import { closeCompletion } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, insertNewline } from '@codemirror/commands';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { Diagnostic } from '../../../../src/query/diagnostics/index.js';
import { quarryCloseBrackets } from './close-brackets';
import { quarryLanguage } from './quarry-language';

export interface QueryEditorProps {
  value: string;
  onChange: (value: string) => void;
  /** Ctrl/Cmd-Enter. */
  onRun: () => void;
  onDiagnostics?: (diagnostics: Diagnostic[]) => void;
  /** Field names seen in the current results, offered by completion. */
  fields?: readonly string[];
}

const editorTheme = EditorView.theme({
  '&': { fontSize: '13px', backgroundColor: 'var(--input-bg)', color: 'var(--text)' },
  '.cm-content': { fontFamily: 'var(--mono)', padding: '7px 0', caretColor: 'var(--text)' },
  '.cm-line': { padding: '0 10px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { lineHeight: '1.55', fontFamily: 'var(--mono)' },
  '.cm-placeholder': { color: 'var(--text-faint)' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection)' },
  '.cm-tooltip': {
    backgroundColor: 'var(--surface-raised)',
    color: 'var(--text)',
    border: '1px solid var(--border-strong)',
    borderRadius: '6px',
    boxShadow: 'var(--shadow)',
  },
  '.cm-tooltip-lint': { padding: '0' },
  '.cm-diagnostic': { padding: '6px 10px', fontFamily: 'var(--sans)', fontSize: '12.5px', maxWidth: '42rem' },
  '.cm-diagnostic-error': { borderLeft: '3px solid var(--danger)' },
  '.cm-diagnostic-warning': { borderLeft: '3px solid var(--warning)' },
  '.cm-diagnosticSource': { color: 'var(--text-muted)', fontFamily: 'var(--mono)', fontSize: '11px' },
  '.cm-lintRange-error': {
    backgroundImage: 'none',
    textDecoration: 'underline wavy var(--danger)',
    textDecorationSkipInk: 'none',
    textUnderlineOffset: '3px',
  },
  '.cm-lintRange-warning': {
    backgroundImage: 'none',
    textDecoration: 'underline wavy var(--warning)',
    textDecorationSkipInk: 'none',
    textUnderlineOffset: '3px',
  },
  '.cm-tooltip-autocomplete > ul': { fontFamily: 'var(--mono)', fontSize: '12.5px', maxHeight: '16rem' },
  '.cm-tooltip-autocomplete > ul > li': { padding: '2px 10px !important' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-text)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected] .cm-completionDetail': { color: 'inherit', opacity: '0.8' },
  '.cm-completionDetail': { color: 'var(--text-muted)', fontStyle: 'normal', marginLeft: '1.2em', fontSize: '11px' },
  '.cm-completionMatchedText': { textDecoration: 'none', fontWeight: '600' },
});

/** The query editor: CodeMirror 6 with Quarry's language; labelled "Query" for people and tests. */
export function QueryEditor(props: QueryEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest callbacks, read by the editor's long-lived extensions.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    if (!host.current) return;
    const run = (target: EditorView): boolean => {
      closeCompletion(target);
      latest.current.onRun();
      return true;
    };
    const created = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: latest.current.value,
        extensions: [
          Prec.highest(keymap.of([{ key: 'Mod-Enter', run, preventDefault: true }, { key: 'Shift-Enter', run: insertNewline }])),
          history(),
          quarryCloseBrackets(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.lineWrapping,
          placeholder('Search: error, _sourceCategory=prod/web | parse "status=*" as status | count by status'),
          EditorView.contentAttributes.of({ 'aria-label': 'Query', spellcheck: 'false', autocapitalize: 'off', autocorrect: 'off' }),
          editorTheme,
          quarryLanguage({ onDiagnostics: (d) => latest.current.onDiagnostics?.(d), fields: () => latest.current.fields ?? [] }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
  }, []);

  // A value set from outside (history, URL) replaces the text; the editor's own edits are already in it.
  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== props.value) {
      current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: props.value } });
    }
  }, [props.value]);

  return <div className="query-editor" ref={host} />;
}
