/** Time functions: parseDate, formatDate, now, queryStartTime/queryEndTime/queryTimeRange. */
import { createHash } from 'node:crypto';
import { formatDate, parseDateWithPattern, parseIsoDate } from '../date-format.js';
import { isValidTimeZone } from '../time-zone.js';
import { toNumber, toText } from '../values.js';
import { arg, defineFunction, type FunctionDef } from './types.js';

/** formatDate's pattern when none is given (our choice for Sumo's "US style"). */
export const DEFAULT_DATE_PATTERN = 'MM/dd/yyyy HH:mm:ss.SSS Z';

export const TIME_FUNCTIONS: FunctionDef[] = [
  // parseDate(text) reads ISO-8601; parseDate(text, pattern[, zone]) uses SimpleDateFormat.
  defineFunction('parseDate', 1, 3, (args, ctx) => {
    const s = toText(arg(args, 0));
    if (s === null) return null;
    const zone = toText(arg(args, 2)) ?? ctx.timeZone;
    if (!isValidTimeZone(zone)) return null;
    const pattern = arg(args, 1);
    if (pattern === null || typeof pattern !== 'string') return parseIsoDate(s, zone);
    return parseDateWithPattern(s, pattern, zone);
  }),
  defineFunction('formatDate', 1, 3, (args, ctx) => {
    const ms = toNumber(arg(args, 0));
    if (ms === null) return null;
    const pattern = toText(arg(args, 1)) ?? DEFAULT_DATE_PATTERN;
    const zone = toText(arg(args, 2)) ?? ctx.timeZone;
    if (!isValidTimeZone(zone)) return null;
    return formatDate(Math.trunc(ms), pattern, zone);
  }),
  defineFunction('now', 0, 0, (_args, ctx) => ctx.now),
  defineFunction('queryStartTime', 0, 0, (_args, ctx) => ctx.from),
  defineFunction('queryEndTime', 0, 0, (_args, ctx) => ctx.to),
  defineFunction('queryTimeRange', 0, 0, (_args, ctx) => (ctx.from === null || ctx.to === null ? null : ctx.to - ctx.from)),
  // hash(text[, "md5"|"sha1"|"sha2_256"|"murmur3_128"]) → hex; md5 by default; murmur3 is not available (null).
  defineFunction('hash', 1, 2, (args) => {
    const s = toText(arg(args, 0));
    if (s === null) return null;
    const algo = (toText(arg(args, 1)) ?? 'md5').toLowerCase().replace(/[-_]/g, '');
    const node = algo === 'md5' ? 'md5' : algo === 'sha1' ? 'sha1' : algo === 'sha2256' || algo === 'sha256' ? 'sha256' : null;
    return node === null ? null : createHash(node).update(s, 'utf8').digest('hex');
  }),
];
