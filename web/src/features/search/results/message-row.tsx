import { Fragment, memo } from 'react';
import { columnValue } from './message-columns';
import { highlightPieces } from './scope-terms';
import { isTimeField, readableTime } from './time-fields';
import type { Message } from './use-message-pages';

const HIDDEN_IN_DETAILS = new Set(['_raw']);

/** Epoch ms as `YYYY-MM-DD HH:mm:ss.SSS` in the time zone ('' when there is none). */
function formatTime(value: string | undefined, timeZone: string): string {
  return value ? readableTime(value, timeZone) : '';
}

/** Pretty JSON when the text is a JSON object or array, else undefined. */
export function prettyJson(text: string): string | undefined {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return undefined;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return undefined;
  }
}

function Highlighted(props: { text: string; pattern: RegExp | undefined }) {
  return (
    <>
      {highlightPieces(props.text, props.pattern).map((p, i) => (p.isMatch ? <mark key={i}>{p.text}</mark> : <Fragment key={i}>{p.text}</Fragment>))}
    </>
  );
}

export interface MessageRowProps {
  index: number;
  message: Message | undefined;
  isExpanded: boolean;
  pattern: RegExp | undefined;
  timeZone: string;
  /** fields shown as columns between the time and the message */
  columns: readonly string[];
  onToggle: (index: number) => void;
}

/** One message: time, highlighted raw text and source; expanded it lists every field. */
export const MessageRow = memo(function MessageRow(props: MessageRowProps) {
  const { message } = props;
  if (!message) {
    return (
      <div role="row" className="message-row loading" aria-rowindex={props.index + 2}>
        <div role="cell" className="message-time mono muted">
          …
        </div>
        {props.columns.map((column) => (
          <div key={column} role="cell" className="message-column" />
        ))}
        <div role="cell" className="message-body muted">
          Loading…
        </div>
      </div>
    );
  }
  const raw = message._raw ?? '';
  const json = props.isExpanded ? prettyJson(raw) : undefined;
  return (
    <div role="row" className={`message-row${props.isExpanded ? ' expanded' : ''}`} aria-rowindex={props.index + 2} aria-expanded={props.isExpanded}>
      <div role="cell" className="message-time mono">
        <button type="button" className="expand-toggle" aria-label={`${props.isExpanded ? 'Collapse' : 'Expand'} message ${props.index + 1}`} onClick={() => props.onToggle(props.index)}>
          <span aria-hidden="true">{props.isExpanded ? '▾' : '▸'}</span>
        </button>
        {formatTime(message._messagetime, props.timeZone)}
      </div>
      {props.columns.map((column) => {
        const value = columnValue(message, column);
        const shown = isTimeField(column) ? formatTime(value, props.timeZone) : value;
        return (
          <div key={column} role="cell" className="message-column mono" title={shown}>
            {shown}
          </div>
        );
      })}
      <div role="cell" className="message-body">
        {json ? (
          <pre className="raw mono json">
            <Highlighted text={json} pattern={props.pattern} />
          </pre>
        ) : (
          <div className="raw mono">
            <Highlighted text={raw} pattern={props.pattern} />
          </div>
        )}
        <div className="meta muted">{[message._sourcecategory, message._sourcehost, message._sourcename].filter(Boolean).join(' · ')}</div>
        {props.isExpanded && (
          <dl className="message-fields">
            {Object.entries(message)
              .filter(([name]) => !HIDDEN_IN_DETAILS.has(name))
              .sort(([a], [b]) => Number(a.startsWith('_')) - Number(b.startsWith('_')) || a.localeCompare(b))
              .map(([name, value]) => (
                <Fragment key={name}>
                  <dt className="mono">{name}</dt>
                  <dd className="mono">{isTimeField(name) ? `${formatTime(value, props.timeZone)} (${value})` : value}</dd>
                </Fragment>
              ))}
          </dl>
        )}
      </div>
    </div>
  );
});
