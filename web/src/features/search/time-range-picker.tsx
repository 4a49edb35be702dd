import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import {
  describePresetDays,
  describeRange,
  epochToWallClock,
  findPreset,
  isKnownTimeZone,
  parseRelative,
  pickerWallClock,
  PresetGroup,
  PRESETS,
  wallClockToEpoch,
  type TimeRange,
} from './time-range';
import './time-range-picker.css';

const GROUPS = [
  { group: PresetGroup.Relative, label: 'Recent' },
  { group: PresetGroup.Calendar, label: 'Calendar' },
] as const;

/** The step an absolute input needs to hold its value (a value finer than the step is invalid). */
function inputStep(values: readonly string[]): number | undefined {
  if (values.some((v) => /\.\d/.test(v))) return 0.001;
  if (values.some((v) => /T\d{2}:\d{2}:\d{2}/.test(v))) return 1;
  return undefined;
}

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
    const minute = Math.floor(now / 60_000) * 60_000;
    const zone = isKnownTimeZone(props.timeZone) ? props.timeZone : 'UTC';
    setFrom(
      pickerWallClock(props.range.start, props.timeZone, now) ?? epochToWallClock(minute - 900_000, zone),
    );
    setTo(pickerWallClock(props.range.end, props.timeZone, now) ?? epochToWallClock(minute, zone));
    setError(undefined);
    (
      panel.current?.querySelector<HTMLElement>('[aria-pressed="true"]') ??
      panel.current?.querySelector<HTMLElement>('button')
    )?.focus();
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
    const start = wallClockToEpoch(from, props.timeZone);
    const end = wallClockToEpoch(to, props.timeZone);
    if (start === undefined || end === undefined) return setError('Fill in both times.');
    if (end <= start) return setError('The end must be after the start.');
    choose({ start: from, end: to });
  };

  const active = findPreset(props.range);
  const step = inputStep([from, to]);
  // The days the calendar presets cover (rendered only while the popover is open).
  const today = Date.now();

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
          <div className="range-preset-groups" role="group" aria-label="Presets">
            {GROUPS.map(({ group, label }) => (
              <div
                key={group}
                className={`range-preset-group ${group}`}
                role="group"
                aria-labelledby={`${id}-presets-${group}`}
              >
                <span id={`${id}-presets-${group}`} className="section-label">
                  {label}
                </span>
                <div className="range-presets">
                  {PRESETS.filter((preset) => preset.group === group).map((preset) => (
                    <button
                      key={preset.label}
                      type="button"
                      aria-pressed={active === preset}
                      title={`${preset.start} → ${preset.end}`}
                      onClick={() => choose({ start: preset.start, end: preset.end })}
                    >
                      {preset.label}
                      <span className="muted mono">
                        {describePresetDays(preset, props.timeZone, today) ?? preset.start}
                      </span>
                    </button>
                  ))}
                </div>
              </div>
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
              <input
                id={`${id}-from`}
                type="datetime-local"
                step={step}
                value={from}
                onChange={(e) => setFrom(e.target.value)}
              />
              <label htmlFor={`${id}-to`}>To</label>
              <input
                id={`${id}-to`}
                type="datetime-local"
                step={step}
                value={to}
                onChange={(e) => setTo(e.target.value)}
              />
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
