import { useMemo } from 'react';
import type { SearchField } from '../../../../../src/protocol/search.js';
import { countedOver, fieldStats } from './field-stats';
import type { Message } from './use-message-pages';

export interface FieldBrowserProps {
  messages: readonly Message[];
  /** the job's fields (a parsed field is listed even where no loaded message has it) */
  fields: readonly SearchField[];
  /** how many messages the list holds (the counts are over the loaded ones) */
  total: number;
  /** Changes when more messages load. */
  version: number;
  /** the fields shown as columns of the list */
  columns: readonly string[];
  onToggleColumn: (field: string) => void;
  onFilter: (field: string, value: string) => void;
}

/**
 * The fields beside the messages: a check box shows a field as a column of the list, clicking a
 * value filters the query by it. Counts are over the loaded messages, and the title says how many
 * of all those are (scrolling the list loads more).
 */
export function FieldBrowser(props: FieldBrowserProps) {
  const { messages, fields, version } = props;
  // `version` stands for the pages behind `messages`: more loaded, new counts.
  const stats = useMemo(() => fieldStats(messages, fields), [messages, fields, version]);
  const loaded = messages.length;
  const partial = loaded < props.total;
  return (
    <nav className="field-browser" aria-label="Fields">
      <h2 className="field-browser-title">
        Fields <span className="muted">{countedOver(loaded, props.total)}</span>
      </h2>
      {partial && <p className="muted field-browser-hint">Scroll the messages to count more of them.</p>}
      {stats.length === 0 && <p className="muted">No fields.</p>}
      {stats.map((field) => (
        <section key={field.name} className="field-group" aria-label={`Field ${field.name}`}>
          <h3 className="field-name mono">
            <label className="field-column-toggle" title={`Show ${field.name} as a column of the messages`}>
              <input type="checkbox" checked={props.columns.includes(field.name)} onChange={() => props.onToggleColumn(field.name)} aria-label={`Show ${field.name} as a column`} />
              {field.name}
            </label>
            <span className="muted" title={`${field.count.toLocaleString()} of the ${loaded.toLocaleString()} loaded messages have a ${field.name}`}>
              {field.count.toLocaleString()}
            </span>
          </h3>
          <ul className="field-values">
            {field.top.map((v) => (
              <li key={v.value}>
                <button type="button" className="field-value" title={`Filter: ${field.name} = ${v.value}`} aria-label={`Filter ${field.name} = ${v.value}`} onClick={() => props.onFilter(field.name, v.value)}>
                  <span className="value-text mono">{v.value}</span>
                  <span className="value-count">{v.count.toLocaleString()}</span>
                  <span className="value-bar" style={{ width: `${Math.round((v.count / Math.max(1, loaded)) * 100)}%` }} aria-hidden="true" />
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
