import type { JsonPathSegment } from '../ast.js';

/** Multipliers of number suffixes (sumo-logic.md §1.4); time units evaluate to milliseconds. */
const NUMBER_SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  B: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const NUMBER_PATTERN = /^(\d+(?:\.\d*)?|\.\d+)((?:[eE][+-]?\d+)?)([A-Za-z]*)$/;

/** Value of a number token (`42`, `1.5e3`, `5m` → 300000, `1Gi`); undefined when malformed. */
export function parseNumberText(text: string): number | undefined {
  const match = NUMBER_PATTERN.exec(text);
  if (match === null) return undefined;
  const multiplier = NUMBER_SUFFIXES[match[3]!];
  if (multiplier === undefined) return undefined;
  const base = Number(match[1]! + match[2]!);
  if (!Number.isFinite(base)) return undefined;
  return base * multiplier;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds of a duration such as `5m`, `1.5h`, `1h30m`; undefined when not a duration. */
export function parseDurationText(text: string): number | undefined {
  const lower = text.toLowerCase();
  const part = /(\d+(?:\.\d+)?)([a-z]+)/y;
  let total = 0;
  let pos = 0;
  while (pos < lower.length) {
    part.lastIndex = pos;
    const match = part.exec(lower);
    if (match === null) return undefined;
    const unit = DURATION_UNITS[match[2]!];
    if (unit === undefined) return undefined;
    total += Number(match[1]) * unit;
    pos = part.lastIndex;
  }
  return pos === 0 ? undefined : total;
}

/** Parses a JSON path (`a.b[0][*]['x y']`, `$.a`, `a..b`); returns segments or a reason. */
export function parseJsonPath(
  path: string,
): { segments: JsonPathSegment[] } | { error: string; unsupported?: true } {
  const segments: JsonPathSegment[] = [];
  let i = 0;
  if (path.startsWith('$')) i = 1;
  if (path.length === 0) return { error: 'empty path' };
  let expectKey = i === 0;
  while (i < path.length) {
    const c = path[i]!;
    if (c === '.') {
      if (path[i + 1] === '.') {
        segments.push({ type: 'descendant' });
        i += 2;
      } else {
        i++;
      }
      expectKey = true;
      continue;
    }
    if (c === '[') {
      const close = findBracketClose(path, i);
      if (close < 0) return { error: 'unclosed "["' };
      const inner = path.slice(i + 1, close).trim();
      if (inner === '*') segments.push({ type: 'wildcard' });
      else if (/^\d+$/.test(inner)) segments.push({ type: 'index', index: Number(inner) });
      else if (/^'.*'$/s.test(inner) || /^".*"$/s.test(inner))
        segments.push({ type: 'key', name: inner.slice(1, -1) });
      else if (inner.startsWith('?')) return { error: 'filter', unsupported: true };
      else return { error: `"[${inner}]" is not an index, [*] or a quoted key` };
      i = close + 1;
      expectKey = false;
      continue;
    }
    if (c === ']') return { error: 'unexpected "]"' };
    if (c === '*') {
      // Seen in real queries: `a[*]` written as `a*` or `$['a']*['b']`.
      segments.push({ type: 'wildcard' });
      i++;
      expectKey = false;
      continue;
    }
    if (!expectKey) return { error: `expected "." or "[" at position ${i}` };
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[' && path[j] !== ']') j++;
    segments.push({ type: 'key', name: path.slice(i, j) });
    i = j;
    expectKey = false;
  }
  if (segments.length === 0) return { error: 'no keys' };
  return { segments };
}

function findBracketClose(path: string, open: number): number {
  let i = open + 1;
  const quote = path[i] === "'" || path[i] === '"' ? path[i] : undefined;
  if (quote !== undefined) {
    const endQuote = path.indexOf(quote, i + 1);
    if (endQuote < 0) return -1;
    i = endQuote + 1;
  }
  return path.indexOf(']', i);
}

/** Named groups of a regex (`(?<name>…)`, `(?P<name>…)`) and whether it has unnamed capturing groups. */
export function analyseRegex(source: string): { groupNames: string[]; hasUnnamedGroup: boolean } {
  const groupNames: string[] = [];
  let hasUnnamedGroup = false;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // `[]]` and `[^]]`: a `]` right after the opening is literal.
      if (source[i + 1] === ']') i++;
      else if (source[i + 1] === '^' && source[i + 2] === ']') i += 2;
      continue;
    }
    if (c !== '(') continue;
    if (source[i + 1] !== '?') {
      hasUnnamedGroup = true;
      continue;
    }
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(source.slice(i, i + 80));
    if (named !== null) groupNames.push(named[1]!);
  }
  return { groupNames, hasUnnamedGroup };
}
