/** How times read on chart axes and tooltips: just enough of the date, in the search's time zone. */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Past this span a date without its year is ambiguous enough to print the year ("~a few days"). */
const YEAR_AFTER = 3 * DAY;

export interface TimeLabels {
  /** Short, for an axis; date and time on two lines when both are needed. */
  axis: (ms: number) => string;
  /** On one line, for tooltips and range ends. */
  full: (ms: number) => string;
}

export interface TimeLabelOptions {
  /** The first and last instant shown. */
  from: number;
  to: number;
  /** The bucket or slice size, when there is one: a day or more hides the time of day. */
  step?: number | undefined;
  timeZone: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
    } catch {
      // An unknown zone name must not blank the chart: UTC, which the labels then show.
      f = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });
    }
    formats.set(key, f);
  }
  return f;
}

function calendarDay(ms: number, timeZone: string): string {
  return format(timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

/** The label formats for a range: the year when it spans years or more than a few days, the date past half a day. */
export function timeLabels(options: TimeLabelOptions): TimeLabels {
  const { timeZone, step } = options;
  const from = Math.min(options.from, options.to);
  const to = Math.max(options.from, options.to);
  const span = to - from;
  const yearOf = (ms: number): string => format(timeZone, { year: 'numeric' }).format(ms);
  const hasYear = span > YEAR_AFTER || yearOf(from) !== yearOf(to);
  const hasDate =
    span > 12 * HOUR || calendarDay(from, timeZone) !== calendarDay(to, timeZone) || (step ?? 0) >= DAY;
  const hasTime = step === undefined || step < DAY;
  const hasSeconds = step === undefined ? span < 10 * MINUTE : step < MINUTE;
  const date = format(timeZone, { day: 'numeric', month: 'short', ...(hasYear ? { year: 'numeric' } : {}) });
  const time = format(timeZone, {
    hour: '2-digit',
    minute: '2-digit',
    ...(hasSeconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  });
  const join = (ms: number, separator: string): string => {
    const parts: string[] = [];
    if (hasDate) parts.push(date.format(ms));
    if (hasTime) parts.push(time.format(ms));
    return parts.join(separator);
  };
  return { axis: (ms) => join(ms, '\n'), full: (ms) => join(ms, ' ') };
}
