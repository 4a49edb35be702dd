/**
 * Java SimpleDateFormat subset used by formatDate() and parseDate(): letters
 * y M d H h k K m s S a E D z Z X u, quoted literals ('…', '' for a quote).
 */
import { digitsAt } from '../../core/text.js';
import { fromWallClock, toWallClock, parseFixedOffset } from './time-zone.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Token {
  letter: string | null;
  count: number;
  text: string;
}

const tokenCache = new Map<string, Token[]>();

function tokenize(pattern: string): Token[] {
  const hit = tokenCache.get(pattern);
  if (hit !== undefined) return hit;
  const out: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        out.push({ letter: null, count: 0, text: "'" });
        i += 2;
        continue;
      }
      let j = i + 1;
      let text = '';
      while (j < pattern.length) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += pattern[j];
        j++;
      }
      out.push({ letter: null, count: 0, text });
      i = j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      out.push({ letter: c, count: j - i, text: '' });
      i = j;
    } else {
      out.push({ letter: null, count: 0, text: c });
      i++;
    }
  }
  tokenCache.set(pattern, out);
  return out;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= width ? s : '0'.repeat(width - s.length) + s);
}

function formatOffset(offsetMs: number, colon: boolean): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const m = Math.abs(Math.round(offsetMs / 60_000));
  return sign + pad(Math.floor(m / 60), 2) + (colon ? ':' : '') + pad(m % 60, 2);
}

/** Formats epoch ms with a SimpleDateFormat pattern in an IANA zone. */
export function formatDate(epochMs: number, pattern: string, timeZone: string): string {
  const w = toWallClock(epochMs, timeZone);
  let out = '';
  for (const t of tokenize(pattern)) {
    if (t.letter === null) {
      out += t.text;
      continue;
    }
    const n = t.count;
    switch (t.letter) {
      case 'y':
      case 'Y':
        out += n === 2 ? pad(w.year % 100, 2) : pad(w.year, n);
        break;
      case 'M':
      case 'L':
        out += n >= 4 ? MONTHS[w.month - 1] : n === 3 ? (MONTHS[w.month - 1] ?? '').slice(0, 3) : pad(w.month, n);
        break;
      case 'd':
        out += pad(w.day, n);
        break;
      case 'H':
        out += pad(w.hour, n);
        break;
      case 'k':
        out += pad(w.hour === 0 ? 24 : w.hour, n);
        break;
      case 'K':
        out += pad(w.hour % 12, n);
        break;
      case 'h':
        out += pad(w.hour % 12 === 0 ? 12 : w.hour % 12, n);
        break;
      case 'm':
        out += pad(w.minute, n);
        break;
      case 's':
        out += pad(w.second, n);
        break;
      case 'S':
        // Java prints the millisecond count padded to n; we follow (SSS = 3 digits).
        out += pad(w.millisecond, n);
        break;
      case 'a':
        out += w.hour < 12 ? 'AM' : 'PM';
        break;
      case 'E':
        out += n >= 4 ? DAYS[w.weekday] : (DAYS[w.weekday] ?? '').slice(0, 3);
        break;
      case 'u':
        out += pad(w.weekday === 0 ? 7 : w.weekday, n);
        break;
      case 'D': {
        const start = Date.UTC(w.year, 0, 1);
        const cur = Date.UTC(w.year, w.month - 1, w.day);
        out += pad((cur - start) / 86_400_000 + 1, n);
        break;
      }
      case 'z':
        out += w.offsetMs === 0 ? 'UTC' : 'GMT' + formatOffset(w.offsetMs, true);
        break;
      case 'Z':
        out += formatOffset(w.offsetMs, false);
        break;
      case 'X':
        out += w.offsetMs === 0 ? 'Z' : formatOffset(w.offsetMs, n >= 3);
        break;
      default:
        out += t.letter.repeat(n);
    }
  }
  return out;
}

/** Parses text with a SimpleDateFormat pattern; null when it does not match. */
export function parseDateWithPattern(text: string, pattern: string, timeZone: string): number | null {
  const tokens = tokenize(pattern);
  let pos = 0;
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let pm: boolean | null = null;
  let hour12 = false;
  let offset: number | null = null;
  for (let ti = 0; ti < tokens.length; ti++) {
    const t = tokens[ti] as Token;
    if (t.letter === null) {
      if (text.startsWith(t.text, pos)) pos += t.text.length;
      else if (t.text === ' ' && /\s/.test(text[pos] ?? '')) pos++;
      else return null;
      continue;
    }
    const next = tokens[ti + 1];
    // Adjacent numeric fields (yyyyMMdd) need fixed widths; otherwise read all digits.
    const fixedWidth = next !== undefined && next.letter !== null ? t.count : 0;
    const readNum = (): number | null => {
      const digits = digitsAt(text, pos, { maxWidth: fixedWidth, signed: true });
      if (digits === null) return null;
      pos += digits.length;
      return Number(digits);
    };
    const readName = (names: string[]): number | null => {
      const rest = text.slice(pos).toLowerCase();
      for (let i = 0; i < names.length; i++) {
        const full = (names[i] as string).toLowerCase();
        if (rest.startsWith(full)) {
          pos += full.length;
          return i;
        }
      }
      for (let i = 0; i < names.length; i++) {
        const short = (names[i] as string).slice(0, 3).toLowerCase();
        if (rest.startsWith(short)) {
          pos += 3;
          return i;
        }
      }
      return null;
    };
    let v: number | null;
    switch (t.letter) {
      case 'y':
      case 'Y':
        v = readNum();
        if (v === null) return null;
        year = t.count === 2 && v < 100 ? 2000 + v : v;
        break;
      case 'M':
      case 'L':
        v = t.count >= 3 ? readName(MONTHS) : readNum();
        if (v === null) return null;
        month = t.count >= 3 ? v + 1 : v;
        break;
      case 'd':
        v = readNum();
        if (v === null) return null;
        day = v;
        break;
      case 'H':
      case 'k':
        v = readNum();
        if (v === null) return null;
        hour = t.letter === 'k' && v === 24 ? 0 : v;
        break;
      case 'h':
      case 'K':
        v = readNum();
        if (v === null) return null;
        hour = v % 12;
        hour12 = true;
        break;
      case 'm':
        v = readNum();
        if (v === null) return null;
        minute = v;
        break;
      case 's':
        v = readNum();
        if (v === null) return null;
        second = v;
        break;
      case 'S': {
        const digits = digitsAt(text, pos, { maxWidth: fixedWidth });
        if (digits === null) return null;
        pos += digits.length;
        ms = Number(digits);
        break;
      }
      case 'a': {
        const rest = text.slice(pos, pos + 2).toUpperCase();
        if (rest !== 'AM' && rest !== 'PM') return null;
        pm = rest === 'PM';
        pos += 2;
        break;
      }
      case 'E':
        if (readName(DAYS) === null) return null;
        break;
      case 'u':
      case 'D':
        if (readNum() === null) return null;
        break;
      case 'z':
      case 'Z':
      case 'X': {
        const rest = text.slice(pos);
        const m = /^(Z|(?:UTC|GMT)?[+-]\d{2}:?\d{2}|(?:UTC|GMT)?[+-]\d{1,2}|UTC|GMT)/i.exec(rest);
        if (m === null) return null;
        pos += m[0].length;
        offset = m[0].toUpperCase() === 'Z' ? 0 : parseFixedOffset(m[0]);
        if (offset === null) return null;
        break;
      }
      default:
        return null;
    }
  }
  if (pos !== text.length && text.slice(pos).trim() !== '') return null;
  if (hour12 && pm === true) hour += 12;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return offset !== null ? local - offset : fromWallClock(local, timeZone);
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO-8601 / RFC-3339 text → epoch ms (zone-less text is read in `timeZone`); null otherwise. */
export function parseIsoDate(text: string, timeZone: string): number | null {
  const s = text.trim();
  const m = ISO_RE.exec(s);
  if (m !== null) {
    const frac = m[7] ?? '0';
    const ms = Math.floor(Number(frac.padEnd(3, '0').slice(0, 3)));
    const local = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
    if (m[8] !== undefined) {
      const off = m[8].toUpperCase() === 'Z' ? 0 : parseFixedOffset(m[8]);
      return off === null ? null : local - off;
    }
    return fromWallClock(local, timeZone);
  }
  // Anything else needs an explicit pattern (a free-form guess would depend on the host's zone).
  return null;
}
