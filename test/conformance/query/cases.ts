/**
 * The query-language conformance suite: cases as JSONL data files in this folder, shared by every
 * engine (the interpreter now, the SQL pushdown engine later). An engine runs each case's query
 * over `buildInputRows(case)` and checks its rows with `compareRows`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Value = string | number | boolean | null;
type Row = Record<string, Value>;

export interface ExpectedDiagnostic {
  /** a diagnostic code (parser Q…, interpreter QR…) */
  code?: string;
  /** a substring of the message (case-insensitive) */
  messageIncludes?: string;
}

export interface ConformanceCase {
  name: string;
  query: string;
  /** lines (become `_raw`) or row objects (`_messageTime` may be ISO text or epoch ms) */
  input: Array<string | Record<string, Value>>;
  /** read the lines from a file of the shared data folder instead (path relative to it) */
  inputFile?: string;
  expected?: Row[];
  expectedDiagnostics?: ExpectedDiagnostic[];
  /** column order of the result, when the case checks it */
  expectedFields?: string[];
  /** compare rows in order (set when the query defines an order) */
  ordered?: boolean;
  tz?: string;
  /** query range, ISO text */
  from?: string;
  to?: string;
  /** `_messageTime` of the first line (ISO, default 2024-01-01T00:00:00Z) and the step between lines */
  start?: string;
  stepMs?: number;
  /** why the case exists, or how it differs from its source (angle-grinder) */
  note?: string;
  /** set by the loader */
  file?: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
/** The shared test data (never copied into the repository): `QUARRY_SHARED_DATA` or ../shared/data. */
export const SHARED_DATA = process.env.QUARRY_SHARED_DATA ?? join(HERE, '../../../../shared/data');
export const DEFAULT_START = '2024-01-01T00:00:00Z';
export const DEFAULT_STEP_MS = 60_000;
/** now() during conformance runs */
export const CONFORMANCE_NOW = Date.parse('2024-06-01T00:00:00Z');

/** Loads every case of every `*.jsonl` file in this folder (or `dir`). */
export function loadConformanceCases(dir: string = HERE): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '' || line.startsWith('//')) return;
      try {
        out.push({ ...(JSON.parse(line) as ConformanceCase), file });
      } catch (e) {
        throw new Error(`${file}:${i + 1}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    });
  }
  return out;
}

function toMs(v: Value | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** The rows a case feeds to the engine: defaults for metadata, line i at start + i·step. */
export function buildInputRows(c: ConformanceCase): Row[] {
  const start = Date.parse(c.start ?? DEFAULT_START);
  const step = c.stepMs ?? DEFAULT_STEP_MS;
  const items: Array<string | Record<string, Value>> =
    c.inputFile === undefined ? c.input : readFileSync(join(SHARED_DATA, c.inputFile), 'utf8').split('\n').filter((l) => l !== '');
  return items.map((item, i) => {
    const base: Row = {
      _raw: '',
      _messageTime: start + i * step,
      _receiptTime: start + i * step,
      _sourceCategory: 'test/conformance',
      _sourceHost: 'localhost',
      _sourceName: c.name,
    };
    if (typeof item === 'string') return { ...base, _raw: item };
    const row: Row = { ...base, ...item };
    for (const k of ['_messageTime', '_receiptTime']) {
      const ms = toMs(item[k]);
      if (ms !== undefined) row[k] = ms;
    }
    return row;
  });
}

/** The query context of a case. */
export function caseContext(c: ConformanceCase): { from?: number; to?: number; timeZone: string; now: number } {
  return {
    timeZone: c.tz ?? 'UTC',
    now: CONFORMANCE_NOW,
    ...(c.from === undefined ? {} : { from: Date.parse(c.from) }),
    ...(c.to === undefined ? {} : { to: Date.parse(c.to) }),
  };
}

const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Values are equal when both read as numbers and agree to 1e-9 (relative), or when their texts
 * are equal; null and missing are the same. Engines may return numbers as text (SQL) or as numbers.
 */
export function valuesMatch(a: Value | undefined, b: Value | undefined): boolean {
  const x = a === undefined ? null : a;
  const y = b === undefined ? null : b;
  if (x === null || y === null) return x === y;
  const nx = typeof x === 'number' ? x : typeof x === 'string' && NUMERIC.test(x) ? Number(x) : null;
  const ny = typeof y === 'number' ? y : typeof y === 'string' && NUMERIC.test(y) ? Number(y) : null;
  if (nx !== null && ny !== null) return nx === ny || Math.abs(nx - ny) <= 1e-9 * Math.max(1, Math.abs(nx), Math.abs(ny));
  return String(x) === String(y);
}

/**
 * Which fields of a row are compared: for records every field; for messages the fields the case
 * expects plus every non-system field the engine produced (system `_` fields only when expected).
 */
function comparedKeys(expected: Row, actual: Row, aggregated: boolean): string[] {
  const keys = new Set(Object.keys(expected));
  for (const k of Object.keys(actual)) if (aggregated || !k.startsWith('_')) keys.add(k);
  return [...keys];
}

function rowsMatch(expected: Row, actual: Row, aggregated: boolean): boolean {
  return comparedKeys(expected, actual, aggregated).every((k) => valuesMatch(expected[k], actual[k]));
}

function project(actual: Row, aggregated: boolean): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(actual)) if (aggregated || !k.startsWith('_')) out[k] = v;
  return out;
}

/** Compares results; returns null when they match, else a readable explanation. */
export function compareRows(c: ConformanceCase, actual: readonly Row[], aggregated: boolean): string | null {
  const expected = c.expected ?? [];
  const show = (): string =>
    `expected ${JSON.stringify(expected)}\n     got ${JSON.stringify(actual.map((r) => project(r, aggregated)))}`;
  if (expected.length !== actual.length) return `row count ${actual.length} ≠ ${expected.length}\n${show()}`;
  if (c.ordered === true) {
    for (let i = 0; i < expected.length; i++) {
      if (!rowsMatch(expected[i] as Row, actual[i] as Row, aggregated)) return `row ${i} differs\n${show()}`;
    }
    return null;
  }
  const unused = [...actual];
  for (const e of expected) {
    const j = unused.findIndex((a) => rowsMatch(e, a, aggregated));
    if (j < 0) return `no row matches ${JSON.stringify(e)}\n${show()}`;
    unused.splice(j, 1);
  }
  return null;
}
