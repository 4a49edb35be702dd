import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { MessageRow } from './message-row';
import type { Message } from './use-message-pages';

/** Collapsed rows have one height, so the list can place tens of thousands of them by arithmetic. */
export const ROW_HEIGHT = 46;
const OVERSCAN = 8;
const GUESS_EXPANDED = 240;

export interface MessageListProps {
  total: number;
  row: (index: number) => Message | undefined;
  ensure: (first: number, last: number) => void;
  /** Changes when pages arrive. */
  version: number;
  pattern: RegExp | undefined;
  timeZone: string;
  /** fields shown as columns between the time and the message */
  columns: readonly string[];
  onRemoveColumn: (field: string) => void;
}

/** Expanded rows in index order with their heights; everything else is ROW_HEIGHT. */
type Expanded = Map<number, number>;

function offsetOf(index: number, expanded: Expanded): number {
  let extra = 0;
  for (const [i, h] of expanded) if (i < index) extra += h - ROW_HEIGHT;
  return index * ROW_HEIGHT + extra;
}

function indexAt(y: number, expanded: Expanded): number {
  let extra = 0;
  for (const [i, h] of [...expanded].sort((a, b) => a[0] - b[0])) {
    const top = i * ROW_HEIGHT + extra;
    if (y < top) break;
    if (y < top + h) return i;
    extra += h - ROW_HEIGHT;
  }
  return Math.floor((y - extra) / ROW_HEIGHT);
}

/** A virtualised list of messages, newest first: only the rows in view are in the DOM. */
export function MessageList(props: MessageListProps) {
  const { total, ensure } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [expanded, setExpanded] = useState<Expanded>(() => new Map());

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, indexAt(scrollTop, expanded) - OVERSCAN);
  const last = Math.min(total - 1, indexAt(scrollTop + height, expanded) + OVERSCAN);

  useEffect(() => {
    if (total > 0) ensure(first, last);
  }, [first, last, total, ensure]);

  // Expanded rows are measured after they render, so rows below them move to the right place.
  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    let changed = false;
    const next = new Map(expanded);
    for (const node of el.querySelectorAll<HTMLElement>('[data-index].expanded-slot')) {
      const index = Number(node.dataset.index);
      const h = node.offsetHeight;
      if (next.has(index) && next.get(index) !== h) {
        next.set(index, h);
        changed = true;
      }
    }
    if (changed) setExpanded(next);
  });

  const onToggle = useCallback((index: number) => {
    setExpanded((current) => {
      const next = new Map(current);
      if (next.has(index)) next.delete(index);
      else next.set(index, GUESS_EXPANDED);
      return next;
    });
  }, []);

  const totalHeight = useMemo(() => offsetOf(total, expanded), [total, expanded]);
  const rows = [];
  for (let i = first; i <= last; i++) {
    const isExpanded = expanded.has(i);
    rows.push(
      <div
        key={i}
        data-index={i}
        className={isExpanded ? 'message-slot expanded-slot' : 'message-slot'}
        style={{ top: offsetOf(i, expanded), height: isExpanded ? undefined : ROW_HEIGHT }}
      >
        <MessageRow
          index={i}
          message={props.row(i)}
          isExpanded={isExpanded}
          pattern={props.pattern}
          timeZone={props.timeZone}
          columns={props.columns}
          onToggle={onToggle}
        />
      </div>,
    );
  }

  return (
    <div className="message-list" role="table" aria-label="Messages" aria-rowcount={total + 1}>
      <div role="rowgroup" className="message-head">
        <div role="row" className="message-row head" aria-rowindex={1}>
          <div role="columnheader" className="message-time">
            Time
          </div>
          {props.columns.map((column) => (
            <div key={column} role="columnheader" className="message-column">
              <span className="column-name mono" title={column}>
                {column}
              </span>
              <button type="button" className="remove-column" aria-label={`Remove column ${column}`} title={`Remove column ${column}`} onClick={() => props.onRemoveColumn(column)}>
                <span aria-hidden="true">×</span>
              </button>
            </div>
          ))}
          <div role="columnheader" className="message-body">
            Message
          </div>
        </div>
      </div>
      <div className="message-viewport" ref={viewport} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} tabIndex={0} aria-label="Messages, scroll to load more">
        <div role="rowgroup" className="message-canvas" style={{ height: totalHeight }} data-version={props.version}>
          {rows}
        </div>
      </div>
    </div>
  );
}
