/** What a detection returns: {@link DetectedTimestamp} and the stable `format` names it carries. */

export interface DetectedTimestamp {
  /** Epoch milliseconds (UTC). */
  ms: number;
  /** How the timestamp was found; one of the names in the table in core/timestamp.ts. */
  format: string;
  /** Offset of the first character of the timestamp in the line. */
  start: number;
  /** Offset just past the last character of the timestamp. */
  end: number;
}

/** Stable names for the `format` field. */
export const TimestampFormat = {
  Iso8601: 'iso8601',
  Rfc5424: 'rfc5424',
  Rfc3164: 'rfc3164',
  Ctime: 'ctime',
  Clf: 'clf',
  YmdHms: 'ymd_hms',
  YmdHmsComma: 'ymd_hms_comma',
  YmdHmsDot: 'ymd_hms_dot',
  YmdSlash: 'ymd_slash',
  EpochS: 'epoch_s',
  EpochMs: 'epoch_ms',
  EpochUs: 'epoch_us',
  EpochNs: 'epoch_ns',
  Custom: 'custom',
} as const;

/** The internal name of a result. */
export type Hit = DetectedTimestamp;

/** A result, or undefined when `ms` is not finite. */
export function hit(ms: number, format: string, start: number, end: number): Hit | undefined {
  return Number.isFinite(ms) ? { ms, format, start, end } : undefined;
}
