/**
 * JSON lines: walk the top level of the object without parsing it (no allocation per line) for the
 * time field that ranks first in {@link JSON_TIME_FIELDS}.
 */
import { CharCode, digitRun, isDigit } from './chars.js';
import type { Hit } from './hit.js';
import type { Ctx } from './civil.js';
import { parseEpoch, SCAN_LIMIT, scanRange } from './scan.js';

// Module-local copies, so V8 folds them (see CharCode).
const {
  CH_BACKSLASH,
  CH_COLON,
  CH_COMMA,
  CH_LBRACE,
  CH_LBRACKET,
  CH_QUOTE,
  CH_RBRACE,
  CH_RBRACKET,
  CH_SPACE,
  CH_TAB,
} = CharCode;

/**
 * Names of the top-level JSON fields that hold a record's time, most telling first: where several
 * are present (GCP's `receiveTimestamp` before its `timestamp`, OTel's `observedTimeUnixNano` beside
 * `timeUnixNano`), the earliest in this list wins, wherever each is in the object. Common producers:
 * `timestamp` (GCP, many libraries), `@timestamp` (ECS, Logstash), `time` (Kubernetes, Docker,
 * logrus), `ts` (zap), `eventTime` (CloudTrail), `timeUnixNano` / `observedTimeUnixNano` (OTLP/JSON),
 * `@t` (Serilog CLEF), `datetime`, `receiveTimestamp` (GCP, when the event time is missing).
 */
export const JSON_TIME_FIELDS = [
  'timestamp',
  '@timestamp',
  'time',
  'ts',
  'eventTime',
  'timeUnixNano',
  '@t',
  'datetime',
  'observedTimeUnixNano',
  'receiveTimestamp',
] as const;
const JSON_TIME_RANK = new Map<string, number>(JSON_TIME_FIELDS.map((key, rank) => [key, rank]));
const JSON_TIME_KEY_MAX = Math.max(...JSON_TIME_FIELDS.map((key) => key.length));

/** The best-ranked top-level time field of the JSON object `s`, or undefined. */
export function detectInJson(s: string, ctx: Ctx): Hit | undefined {
  const n = s.length;
  let depth = 0;
  let expectKey = false;
  let i = 0;
  let best: Hit | undefined;
  let bestRank: number = JSON_TIME_FIELDS.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === CH_QUOTE) {
      const close = stringEnd(s, i + 1);
      if (close < 0) return best;
      if (depth === 1 && expectKey) {
        expectKey = false;
        const keyLen = close - i - 1;
        if (keyLen >= 2 && keyLen <= JSON_TIME_KEY_MAX) {
          const key = s.slice(i + 1, close);
          const rank = JSON_TIME_RANK.get(key);
          if (rank !== undefined && rank < bestRank) {
            const found = jsonValueTimestamp(s, close + 1, key, ctx);
            if (found !== undefined) {
              if (rank === 0) return found;
              best = found;
              bestRank = rank;
            }
          }
        }
      }
      i = close + 1;
    } else if (c === CH_LBRACE || c === CH_LBRACKET) {
      depth++;
      expectKey = depth === 1 && c === CH_LBRACE;
      i++;
    } else if (c === CH_RBRACE || c === CH_RBRACKET) {
      depth--;
      if (depth <= 0) return best;
      i++;
    } else {
      if (c === CH_COMMA && depth === 1) expectKey = true;
      i++;
    }
  }
  return best;
}

/** Offset of the closing quote of a JSON string whose body starts at `i`, or -1. */
function stringEnd(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === CH_BACKSLASH) j++;
    else if (c === CH_QUOTE) return j;
  }
  return -1;
}

function jsonValueTimestamp(s: string, afterKey: number, key: string, ctx: Ctx): Hit | undefined {
  let i = afterKey;
  while (s.charCodeAt(i) === CH_SPACE || s.charCodeAt(i) === CH_TAB) i++;
  if (s.charCodeAt(i) !== CH_COLON) return undefined;
  i++;
  while (s.charCodeAt(i) === CH_SPACE || s.charCodeAt(i) === CH_TAB) i++;
  const prefix = `json:${key}`;
  const c = s.charCodeAt(i);
  if (c === CH_QUOTE) {
    const close = stringEnd(s, i + 1);
    if (close < 0) return undefined;
    return scanRange(s, i + 1, Math.min(close, i + 1 + SCAN_LIMIT), ctx, -1, prefix);
  }
  if (isDigit(c)) {
    const n = digitRun(s, i, s.length);
    return parseEpoch(s, i, n, s.length, prefix);
  }
  return undefined;
}
