import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { describeRange, epochToWallClock, parseRelative, PRESETS, resolveTime, type TimeRange } from './time-range';

export interface TimeRangePickerProps {
  range: TimeRange;
  timeZone: string;
  onChange: (range: TimeRange) => void;
}

/** A button showing the range; its popover has presets, a custom relative range and absolute times. */
export function TimeRangePicker(props: TimeRangePickerProps) {
  const [open, setOpen] = useState(false);
  const [relative, setRelative] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | undefined>();
  const panel = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();

  useEffect(() => {
    if (!open) return undefined;
    const now = Date.now();
    const isRelative = parseRelative(props.range.start) !== undefined && (props.range.end === 'now' || props.range.end === '');
    setRelative(isRelative ? props.range.start : '');
    setFrom(epochToWallClock(resolveTime(props.range.start, props.timeZone, now) ?? now - 900_000, props.timeZone));
    setTo(epochToWallClock(resolveTime(props.range.end, props.timeZone, now) ?? now, props.timeZone));
    setError(undefined);
    panel.current?.querySelector<HTMLElement>('[aria-pressed="true"], button')?.focus();
    const onDown = (event: MouseEvent): void => {
      if (!panel.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, props.range, props.timeZone]);

  const choose = (range: TimeRange): void => {
    props.onChange(range);
    setOpen(false);
    button.current?.focus();
  };

  const applyRelative = (event: FormEvent): void => {
    event.preventDefault();
    const text = relative.trim().startsWith('-') ? relative.trim() : `-${relative.trim()}`;
    if (parseRelative(text) === undefined) return setError('Use a number and a unit (s, m, h, d, w), like -2d3h.');
    choose({ start: text, end: 'now' });
  };

  const applyAbsolute = (event: FormEvent): void => {
    event.preventDefault();
    if (!from || !to) return setError('Fill in both times.');
    if (to <= from) return setError('The end must be after the start.');
    choose({ start: from, end: to });
  };

  return (
    <div className="menu-anchor">
      <button
        ref={button}
        type="button"
        className="range-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={`Time range: ${describeRange(props.range)}`}
        onClick={() => setOpen((o) => !o)}
      >
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.4" />
          <path d="M8 4.5V8l2.4 1.6" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
        </svg>
        <span>{describeRange(props.range)}</span>
        <span className="caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && (
        <div
          id={id}
          ref={panel}
          className="popover range-popover"
          role="dialog"
          aria-label="Time range"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setOpen(false);
              button.current?.focus();
            }
          }}
        >
          <div className="range-presets" role="group" aria-label="Presets">
            {PRESETS.map((preset) => (
              <button
                key={preset.start}
                type="button"
                aria-pressed={props.range.start === preset.start && props.range.end === 'now'}
                onClick={() => choose({ start: preset.start, end: 'now' })}
              >
                {preset.label}
                <span className="muted mono">{preset.start}</span>
              </button>
            ))}
          </div>
          <form className="range-section" onSubmit={applyRelative}>
            <label htmlFor={`${id}-relative`}>Relative</label>
            <div className="inline-fields">
              <input
                id={`${id}-relative`}
                className="mono"
                placeholder="-2d3h"
                value={relative}
                onChange={(e) => setRelative(e.target.value)}
                aria-describedby={`${id}-relative-hint`}
              />
              <button type="submit">Apply</button>
            </div>
            <p id={`${id}-relative-hint`} className="field-hint">
              Units s, m, h, d, w; combine them: -1w2d, -90m.
            </p>
          </form>
          <form className="range-section" onSubmit={applyAbsolute}>
            <span className="section-label">Absolute ({props.timeZone})</span>
            <div className="absolute-fields">
              <label htmlFor={`${id}-from`}>From</label>
              <input id={`${id}-from`} type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
              <label htmlFor={`${id}-to`}>To</label>
              <input id={`${id}-to`} type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
            </div>
            <button type="submit">Apply absolute range</button>
          </form>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
