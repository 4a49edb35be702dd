/**
 * Syslog message parsing (RFC 5424 and RFC 3164 / BSD syslog), pure and total: every input gives a
 * message, malformed headers give fewer fields, never an exception. The format is chosen per message:
 * `<PRI>1 ` starts RFC 5424, anything else is read as RFC 3164 (which is what real devices send).
 *
 * Time rules (see docs/ingest.md, "Syslog"):
 * - RFC 5424 timestamps carry their zone; `-` (nil) means "no time" (the receipt time is used).
 * - RFC 3164 `MMM dd HH:mm:ss` has no year and no zone: the year is the shared detector's rule (the
 *   latest year that puts the time at most one day after the receipt time) and the zone is the
 *   configured default (UTC unless `QUARRY_SYSLOG_TIME_ZONE`). A zone right after the time is used
 *   when it is numeric (`TZ-6`, `UTC+02:00`, `-0700`); a zone name followed by a year (`CST 1987`)
 *   gives the year only, as zone names are ambiguous.
 */
import { trimEndOf } from '../../core/text.js';
import { detectTimestamp } from '../../core/timestamp.js';
import type { IngestRecord } from '../encode-records.js';
import { MAX_FIELDS_PER_RECORD } from './fields.js';

/** How a message was read; also its `_format` when its header gave the time. */
export const SyslogFormat = {
  Rfc5424: 'rfc5424',
  Rfc3164: 'rfc3164',
} as const;
export type SyslogFormat = (typeof SyslogFormat)[keyof typeof SyslogFormat];

/** Facility names by code (RFC 5424 table 1, with the names rsyslog and syslog-ng use). */
export const FACILITY_NAMES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

/** Severity names by code (RFC 5424 table 2, short names as in syslog.h). */
export const SEVERITY_NAMES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** RFC 3164 §4.3.3: a message without a valid PRI is treated as user.notice. */
export const DEFAULT_PRI = 13;

export interface StructuredDataElement {
  id: string;
  params: Array<[name: string, value: string]>;
}

export interface SyslogMessage {
  format: SyslogFormat;
  /** False when the message had no valid `<PRI>` (facility/severity are then user/notice). */
  hasPri: boolean;
  facility: number;
  severity: number;
  /** Epoch ms from the header; absent when nil, missing or unreadable. */
  time?: number;
  hostname?: string;
  /** RFC 5424 APP-NAME, or the RFC 3164 tag (`sshd` of `sshd[42]:`). */
  appName?: string;
  /** RFC 5424 PROCID, or the RFC 3164 `[pid]`. */
  procId?: string;
  msgId?: string;
  structuredData: StructuredDataElement[];
  /** The free-form message after the header, without a leading UTF-8 BOM. */
  message: string;
  /** Set when part of the header was malformed (the message is then the rest of the line). */
  problem?: string;
}

export interface ParseSyslogOptions {
  /** Epoch ms that picks the year of year-less RFC 3164 times (the receipt time). */
  referenceTime: number;
  /** Zone for RFC 3164 times without one: IANA name, `UTC` or `±hh:mm`; default UTC. */
  defaultTimeZone?: string;
}

const BOM = '\uFEFF';

/** Parses one syslog message (one frame or line, without its trailing newline). */
export function parseSyslog(line: string, options: ParseSyslogOptions): SyslogMessage {
  const pri = readPri(line);
  const rest = pri === undefined ? line : line.slice(pri.end);
  const value = pri?.value ?? DEFAULT_PRI;
  const base = { hasPri: pri !== undefined, facility: value >> 3, severity: value & 7 };
  if (pri !== undefined && rest.startsWith('1 ')) return parse5424(rest.slice(2), base);
  return parse3164(rest, base, options);
}

function readPri(line: string): { value: number; end: number } | undefined {
  if (line.charCodeAt(0) !== 0x3c /* < */) return undefined;
  const close = line.indexOf('>', 1);
  if (close < 2 || close > 4) return undefined;
  const digits = line.slice(1, close);
  if (!/^\d+$/.test(digits) || (digits.length > 1 && digits.startsWith('0'))) return undefined;
  const value = Number(digits);
  return value <= 191 ? { value, end: close + 1 } : undefined;
}

type Base = Pick<SyslogMessage, 'hasPri' | 'facility' | 'severity'>;

/** Reads a space-terminated token at `i`; returns it and the index after the space (or the end). */
function token(s: string, i: number): { text: string; next: number } {
  const space = s.indexOf(' ', i);
  return space < 0 ? { text: s.slice(i), next: s.length } : { text: s.slice(i, space), next: space + 1 };
}

function nil(text: string): string | undefined {
  return text === '-' || text === '' ? undefined : text;
}

function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

function parse5424(s: string, base: Base): SyslogMessage {
  const out: SyslogMessage = { format: SyslogFormat.Rfc5424, ...base, structuredData: [], message: '' };
  let i = 0;
  const header: string[] = [];
  for (let k = 0; k < 5; k++) {
    if (i >= s.length) {
      out.problem = 'RFC 5424 header ends early';
      break;
    }
    const t = token(s, i);
    header.push(t.text);
    i = t.next;
  }
  const [timestamp, hostname, appName, procId, msgId] = header;
  if (timestamp !== undefined && timestamp !== '-') {
    const found = detectTimestamp(timestamp, { referenceTime: 0 });
    if (found && found.start === 0 && found.end === timestamp.length) out.time = found.ms;
    else out.problem = 'unreadable RFC 5424 timestamp';
  }
  const host = nil(hostname ?? '');
  if (host !== undefined) out.hostname = host;
  const app = nil(appName ?? '');
  if (app !== undefined) out.appName = app;
  const proc = nil(procId ?? '');
  if (proc !== undefined) out.procId = proc;
  const msg = nil(msgId ?? '');
  if (msg !== undefined) out.msgId = msg;
  if (i >= s.length) return out;
  if (s[i] === '-' && (i + 1 === s.length || s[i + 1] === ' ')) {
    i += 2;
  } else if (s[i] === '[') {
    const sd = readStructuredData(s, i);
    if (sd.error === undefined) {
      out.structuredData = sd.elements;
      i = sd.end + (s[sd.end] === ' ' ? 1 : 0);
    } else {
      out.problem = sd.error; // the text from `[` on stays the message
    }
  } else {
    out.problem = 'RFC 5424 structured data is neither "-" nor "[…]"';
  }
  out.message = stripBom(s.slice(Math.min(i, s.length)));
  return out;
}

/** Reads `[id k="v" …][…]` at `start`; values unescape `\"`, `\\` and `\]` (RFC 5424 §6.3.3). */
function readStructuredData(
  s: string,
  start: number,
): { elements: StructuredDataElement[]; end: number; error?: undefined } | { error: string } {
  const elements: StructuredDataElement[] = [];
  let i = start;
  while (s[i] === '[') {
    i++;
    const idEnd = scanName(s, i);
    if (idEnd === i) return { error: 'RFC 5424 structured data element without an SD-ID' };
    const element: StructuredDataElement = { id: s.slice(i, idEnd), params: [] };
    i = idEnd;
    while (s[i] === ' ') {
      i++;
      const nameEnd = scanName(s, i);
      if (nameEnd === i || s[nameEnd] !== '=' || s[nameEnd + 1] !== '"') {
        return { error: 'RFC 5424 structured data parameter is not name="value"' };
      }
      const name = s.slice(i, nameEnd);
      i = nameEnd + 2;
      let value = '';
      for (;;) {
        if (i >= s.length) return { error: 'RFC 5424 structured data value is not closed' };
        const c = s[i]!;
        if (c === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === ']')) {
          value += s[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      element.params.push([name, value]);
    }
    if (s[i] !== ']') return { error: 'RFC 5424 structured data element is not closed' };
    i++;
    elements.push(element);
  }
  return { elements, end: i };
}

/** End of an SD-NAME at `i`: printable ASCII except space, `=`, `]` and `"`, at most 32 chars. */
function scanName(s: string, i: number): number {
  let j = i;
  while (j < s.length && j - i < 64) {
    const c = s.charCodeAt(j);
    if (c <= 0x20 || c >= 0x7f || c === 0x3d || c === 0x5d || c === 0x22) break;
    j++;
  }
  return j;
}

/** A tag as BSD syslog writes it: `name:` or `name[pid]:`. */
const TAG = /^([^\s[\]:]{1,64})(?:\[([^\]\s]{0,32})\])?:$/;
/** Host names, IPv4 and IPv6 addresses (a token like `---` is not a host). */
const HOSTNAME = /^[\p{L}\p{N}_][\p{L}\p{N}_.:%-]*$/u;
/** A numeric zone after an RFC 3164 time: `TZ-6`, `UTC+02:00`, `GMT-0700`, `+0200`. */
const NUMERIC_ZONE = /^(?:TZ|UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;
const ZONE_NAME = /^[A-Z]{3,5}$/;

function parse3164(s: string, base: Base, options: ParseSyslogOptions): SyslogMessage {
  const out: SyslogMessage = { format: SyslogFormat.Rfc3164, ...base, structuredData: [], message: '' };
  const detectOptions = {
    referenceTime: options.referenceTime,
    ...(options.defaultTimeZone ? { defaultTimeZone: options.defaultTimeZone } : {}),
  };
  let i = 0;
  const found = detectTimestamp(s.slice(0, 64), detectOptions);
  if (found && found.start === 0 && (found.end === s.length || s[found.end] === ' ')) {
    let stamp = s.slice(0, found.end);
    let zone = detectOptions.defaultTimeZone;
    out.time = found.ms;
    i = Math.min(found.end + 1, s.length);
    // Optional zone (and year) right after the time, as in RFC 3164's own examples.
    const next = token(s, i);
    const numeric = NUMERIC_ZONE.exec(next.text);
    const year = ZONE_NAME.test(next.text) ? /^(\d{4})(?: |$)/.exec(s.slice(next.next)) : null;
    if (numeric) {
      zone = `${numeric[1]}${numeric[2]!.padStart(2, '0')}:${numeric[3] ?? '00'}`;
      i = next.next;
    } else if (year && found.format === SyslogFormat.Rfc3164 && !/^\d{4} /.test(stamp)) {
      stamp = `${stamp} ${year[1]}`;
      i = next.next + year[0].length;
    }
    if (stamp !== s.slice(0, found.end) || zone !== detectOptions.defaultTimeZone) {
      const again = detectTimestamp(stamp, { ...detectOptions, ...(zone ? { defaultTimeZone: zone } : {}) });
      if (again) out.time = again.ms;
    }
  } else {
    out.problem = 'no RFC 3164 timestamp';
  }
  if (out.time !== undefined) {
    // HOSTNAME, unless the next token is already the tag (`haproxy[376]: …` with no host).
    const host = token(s, i);
    if (!TAG.test(host.text) && HOSTNAME.test(host.text)) {
      out.hostname = host.text;
      i = host.next;
    }
  }
  const tag = token(s, i);
  const tagMatch = TAG.exec(tag.text);
  if (tagMatch) {
    out.appName = tagMatch[1]!;
    if (tagMatch[2]) out.procId = tagMatch[2];
    i = tag.next;
  }
  out.message = stripBom(s.slice(i));
  return out;
}

/**
 * Fields of a parsed message: `facility`, `severity` (names), `procid`, `msgid`, and each structured
 * data parameter as `sd.<SD-ID>.<PARAM-NAME>` (a repeated parameter becomes a JSON array text).
 */
export function syslogFields(message: SyslogMessage): Record<string, string> {
  const fields: Record<string, string> = {
    facility: FACILITY_NAMES[message.facility] ?? String(message.facility),
    severity: SEVERITY_NAMES[message.severity] ?? String(message.severity),
  };
  if (message.procId !== undefined) fields.procid = message.procId;
  if (message.msgId !== undefined) fields.msgid = message.msgId;
  const repeated = new Map<string, string[]>();
  let count = Object.keys(fields).length;
  for (const element of message.structuredData) {
    for (const [name, value] of element.params) {
      const key = `sd.${element.id}.${name}`;
      const seen = repeated.get(key);
      if (seen) {
        seen.push(value);
        fields[key] = JSON.stringify(seen);
      } else if (count < MAX_FIELDS_PER_RECORD) {
        repeated.set(key, [value]);
        fields[key] = value;
        count++;
      }
    }
  }
  return fields;
}

/**
 * Splits a block of text holding several syslog messages (a UDP datagram, a file) into messages:
 * when the first line starts with `<PRI>`, each line starting with `<digits>` starts a message;
 * otherwise each line not starting with whitespace does (continuation lines are indented, as in
 * macOS syslog). CR before LF is dropped; empty messages are left out.
 */
export function splitSyslogMessages(text: string): string[] {
  const lines = trimEndOf(text, '\r\n')
    
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const byPri = /^<\d{1,3}>/.test(lines[0] ?? '');
  const messages: string[] = [];
  for (const line of lines) {
    const starts = byPri ? /^<\d{1,3}>/.test(line) : !/^\s/.test(line);
    if (starts || messages.length === 0) messages.push(line);
    else messages[messages.length - 1] += `\n${line}`;
  }
  return messages.filter((m) => m.trim() !== '');
}

/** A stored message's metadata as the syslog listeners map it (see docs/ingest.md, "Syslog"). */
export interface SyslogRecord extends IngestRecord {
  /** `_format` when the header gave the time. */
  format: SyslogFormat;
}

/**
 * Maps a parsed message to a record: `_raw` is the whole original line, `_messageTime` the header's
 * time, `_sourceHost` the HOSTNAME (else `fallbackHost`), `_sourceName` the APP-NAME or tag, the
 * suggested `_sourceCategory` `syslog/<app-name>` (or `syslog`), plus the fields of syslogFields.
 */
export function toSyslogRecord(raw: string, parsed: SyslogMessage, fallbackHost: string): SyslogRecord {
  return {
    format: parsed.format,
    ...(parsed.time !== undefined ? { time: parsed.time } : {}),
    message: raw,
    fields: syslogFields(parsed),
    category: parsed.appName !== undefined ? `syslog/${parsed.appName}` : 'syslog',
    host: parsed.hostname ?? fallbackHost,
    ...(parsed.appName !== undefined ? { name: parsed.appName } : {}),
  };
}
