import { useMemo, useState } from 'react';
import type { SearchRecordsResponse } from '../../../../../src/protocol/search.js';
import { AggregateChart } from './aggregate-chart';
import { ChartKind, defaultChart, resultShape, sortRows } from './aggregate-shape';
import { isoTime, isTimeField, readableTime } from './time-fields';

const KINDS: readonly { kind: ChartKind; label: string }[] = [
  { kind: ChartKind.Table, label: 'Table' },
  { kind: ChartKind.Bar, label: 'Bar' },
  { kind: ChartKind.Line, label: 'Line' },
  { kind: ChartKind.Pie, label: 'Pie' },
];

/** A records table cell: times (epoch ms from the API) as times in the search's zone, the rest as it came. */
function Cell(props: { field: string; value: string; timeZone: string }) {
  const { value, timeZone } = props;
  if (value === '' || !isTimeField(props.field)) return <>{value}</>;
  return <time dateTime={isoTime(value, timeZone)}>{readableTime(value, timeZone)}</time>;
}

/** Aggregate records: a chart chosen from their shape (switchable) above a sortable table. */
export function AggregateView(props: { page: SearchRecordsResponse; total: number; messageCount: number; timeZone: string }) {
  const rows = useMemo(() => props.page.records.map((r) => r.map), [props.page]);
  const fields = useMemo(() => [...props.page.fields].sort((a, b) => Number(b.keyField) - Number(a.keyField)), [props.page]);
  const shape = useMemo(() => resultShape(props.page.fields, rows), [props.page, rows]);
  const [chosen, setChosen] = useState<ChartKind | undefined>();
  const kind = chosen ?? defaultChart(shape);
  const [sort, setSort] = useState<{ field: string; isAscending: boolean } | undefined>();
  const sorted = useMemo(() => (sort ? sortRows(rows, sort.field, sort.isAscending) : rows), [rows, sort]);
  const numeric = new Set(shape.series);

  if (props.total === 0) {
    return (
      <p className="muted empty-results">
        {props.messageCount === 0
          ? 'No messages matched in this time range, so the aggregate has no records.'
          : `No records: the operators after the aggregate kept none of what it made from ${props.messageCount.toLocaleString()} ${props.messageCount === 1 ? 'message' : 'messages'} (the Messages tab lists them).`}
      </p>
    );
  }
  return (
    <div className="aggregate-view">
      <div className="chart-switch" role="group" aria-label="Chart type">
        {KINDS.map((k) => (
          <button key={k.kind} type="button" className="subtle" aria-pressed={kind === k.kind} onClick={() => setChosen(k.kind)}>
            {k.label}
          </button>
        ))}
      </div>
      {kind !== ChartKind.Table && (
        <div className="chart-wrap">
          <AggregateChart kind={kind} rows={rows} shape={shape} timeZone={props.timeZone} />
        </div>
      )}
      <div className="result-table-wrap compact">
        <table className="result-table records" aria-label="Records">
          <thead>
            <tr>
              {fields.map((f) => {
                const isSorted = sort?.field === f.name;
                return (
                  <th
                    key={f.name}
                    scope="col"
                    className={numeric.has(f.name) ? 'num' : undefined}
                    aria-sort={isSorted ? (sort.isAscending ? 'ascending' : 'descending') : 'none'}
                  >
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() => setSort({ field: f.name, isAscending: isSorted ? !sort.isAscending : !numeric.has(f.name) })}
                    >
                      {f.name}
                      <span className="sort-mark" aria-hidden="true">
                        {isSorted ? (sort.isAscending ? '▲' : '▼') : ''}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {sorted.map((record, i) => (
              <tr key={i}>
                {fields.map((f) => (
                  <td key={f.name} className={numeric.has(f.name) ? 'num' : undefined}>
                    <Cell field={f.name} value={record[f.name] ?? ''} timeZone={props.timeZone} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {props.total > rows.length && (
          <p className="muted table-note">
            Showing the first {rows.length.toLocaleString()} of {props.total.toLocaleString()} records.
          </p>
        )}
      </div>
    </div>
  );
}
