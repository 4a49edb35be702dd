import type { SearchMessagesResponse, SearchRecordsResponse } from '../../../../src/protocol/search.js';

/**
 * Plain tables for the first page of results. The full result views of issue 5 (virtualised
 * messages with expandable fields, field browser, sortable aggregates with charts) replace these.
 */

const NUMERIC = new Set(['int', 'long', 'double', 'float', 'number']);

export function RecordTable(props: { page: SearchRecordsResponse; total: number }) {
  const fields = [...props.page.fields].sort((a, b) => Number(b.keyField) - Number(a.keyField));
  return (
    <div className="result-table-wrap compact">
      <table className="result-table records" aria-label="Records">
        <thead>
          <tr>
            {fields.map((f) => (
              <th key={f.name} scope="col" className={NUMERIC.has(f.fieldType) ? 'num' : undefined}>
                {f.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.page.records.map((record, i) => (
            <tr key={i}>
              {fields.map((f) => (
                <td key={f.name} className={NUMERIC.has(f.fieldType) ? 'num' : undefined}>
                  {record.map[f.name] ?? ''}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {props.total > props.page.records.length && (
        <p className="muted table-note">
          Showing the first {props.page.records.length} of {props.total} records.
        </p>
      )}
    </div>
  );
}

function formatTime(value: string | undefined, timeZone: string): string {
  const ms = Number(value);
  if (!value || !Number.isFinite(ms)) return '';
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
  return `${parts}.${String(ms % 1000).padStart(3, '0')}`;
}

export function MessageTable(props: { page: SearchMessagesResponse; total: number; timeZone: string }) {
  if (props.page.messages.length === 0) {
    return <p className="muted empty-results">No messages matched in this time range.</p>;
  }
  return (
    <div className="result-table-wrap">
      <table className="result-table messages" aria-label="Messages">
        <thead>
          <tr>
            <th scope="col" className="time">
              Time
            </th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {props.page.messages.map((message, i) => (
            <tr key={message.map._messageid ?? i}>
              <td className="time mono">{formatTime(message.map._messagetime, props.timeZone)}</td>
              <td>
                <div className="raw mono">{message.map._raw ?? ''}</div>
                <div className="meta muted">
                  {[message.map._sourcecategory, message.map._sourcehost, message.map._sourcename].filter(Boolean).join(' · ')}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.total > props.page.messages.length && (
        <p className="muted table-note">
          Showing the newest {props.page.messages.length} of {props.total} messages.
        </p>
      )}
    </div>
  );
}
