import { useMemo } from 'react';
import type { Message } from './use-message-pages';

/** Fields that hold one value per message and would only crowd the list. */
const SKIPPED = new Set(['_raw', '_messageid', '_messagetime', '_receipttime', '_size', '_format', '_blockid', '_messagecount']);
const TOP = 5;

export interface FieldStats {
  name: string;
  count: number;
  top: { value: string; count: number }[];
}

/** Fields of the loaded messages with how many messages have each and their most common values. */
export function fieldStats(messages: readonly Message[]): FieldStats[] {
  const byField = new Map<string, Map<string, number>>();
  for (const message of messages) {
    for (const [name, value] of Object.entries(message)) {
      if (SKIPPED.has(name) || value === '') continue;
      let values = byField.get(name);
      if (!values) byField.set(name, (values = new Map<string, number>()));
      values.set(value, (values.get(value) ?? 0) + 1);
    }
  }
  return [...byField]
    .map(([name, values]) => ({
      name,
      count: [...values.values()].reduce((s, n) => s + n, 0),
      top: [...values].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP).map(([value, count]) => ({ value, count })),
    }))
    .sort((a, b) => Number(a.name.startsWith('_')) - Number(b.name.startsWith('_')) || a.name.localeCompare(b.name));
}

export interface FieldBrowserProps {
  messages: readonly Message[];
  /** Changes when more messages load. */
  version: number;
  onFilter: (field: string, value: string) => void;
}

/** The fields beside the messages; clicking a value filters the query by it. */
export function FieldBrowser(props: FieldBrowserProps) {
  const { messages, version } = props;
  // `version` stands for the pages behind `messages`: more loaded, new counts.
  const stats = useMemo(() => fieldStats(messages), [messages, version]);
  return (
    <nav className="field-browser" aria-label="Fields">
      <h2 className="field-browser-title">
        Fields <span className="muted">in {messages.length.toLocaleString()} loaded</span>
      </h2>
      {stats.length === 0 && <p className="muted">No fields.</p>}
      {stats.map((field) => (
        <section key={field.name} className="field-group" aria-label={`Field ${field.name}`}>
          <h3 className="field-name mono">
            {field.name} <span className="muted">{field.count.toLocaleString()}</span>
          </h3>
          <ul className="field-values">
            {field.top.map((v) => (
              <li key={v.value}>
                <button type="button" className="field-value" title={`Filter: ${field.name} = ${v.value}`} aria-label={`Filter ${field.name} = ${v.value}`} onClick={() => props.onFilter(field.name, v.value)}>
                  <span className="value-text mono">{v.value}</span>
                  <span className="value-count">{v.count.toLocaleString()}</span>
                  <span className="value-bar" style={{ width: `${Math.round((v.count / Math.max(1, messages.length)) * 100)}%` }} aria-hidden="true" />
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
