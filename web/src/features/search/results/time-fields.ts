/**
 * Time fields of search results. The API keeps Sumo Logic's values (epoch milliseconds as text);
 * where a person reads them — the records table, CSV exports — they show as times in the search's
 * time zone. A field is a time when its name is `_timeslice`, `_messagetime` or `_receipttime`
 * (in any case; the API's field metadata has no type for times: they are `long`).
 */

const TIME_FIELDS = new Set(['_timeslice', '_messagetime', '_receipttime']);

/** Whether a result field holds times. */
export function isTimeField(name: string): boolean {
  return TIME_FIELDS.has(name.toLowerCase());
}

interface Clock {
  date: string;
  time: string;
  /** `Z`, or the offset as `+05:30` */
  offset: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `ms` in the zone, or undefined when the text is no epoch ms or the zone unknown. */
function clockOf(value: string, timeZone: string): Clock | undefined {
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) return undefined;
  const ms = Number(value);
  let format = formats.get(timeZone);
  try {
    format ??= new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
  } catch {
    return undefined;
  }
  formats.set(timeZone, format);
  const part: Record<string, string> = {};
  for (const p of format.formatToParts(ms)) part[p.type] = p.value;
  const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  // `GMT+05:30`; a zero offset is `GMT` (or `GMT+00:00`) and written `Z`, as the CLI writes it.
  const sign = (part.timeZoneName ?? 'GMT').replace(/^GMT/, '');
  const offset = sign === '' || /^[+-]00:00$/.test(sign) ? 'Z' : sign;
  return {
    date: `${part.year}-${part.month}-${part.day}`,
    time: `${part.hour}:${part.minute}:${part.second}.${millis}`,
    offset,
  };
}

/** Epoch ms text as the message list shows times (`2026-12-06 21:30:00.000` in the zone); other text unchanged. */
export function readableTime(value: string, timeZone: string): string {
  const clock = clockOf(value, timeZone);
  return clock === undefined ? value : `${clock.date} ${clock.time}`;
}

/**
 * Epoch ms text as ISO-8601 with the zone's offset (`2026-12-06T21:30:00.000+01:00`), as
 * `quarry query` and `quarry search` print times; other text unchanged.
 */
export function isoTime(value: string, timeZone: string): string {
  const clock = clockOf(value, timeZone);
  return clock === undefined ? value : `${clock.date}T${clock.time}${clock.offset}`;
}
