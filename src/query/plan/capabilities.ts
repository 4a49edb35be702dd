/**
 * What the planner may push into an engine. An older engine just pushes less: the rest of the
 * pipeline runs in the interpreter, so results never depend on this table — only speed does.
 */

/** Which engine a store runs on (reported by LogStore.capabilities()). */
export interface EngineInfo {
  engine: 'chdb' | 'clickhouse';
  /** Server version, e.g. `26.7.2.1`. */
  version: string;
}

/** The pushdown features one engine/version supports. */
export interface PushdownCapabilities {
  /** Keyword/phrase/field scope and the time range (always available: plain WHERE). */
  scope: boolean;
  /** RE2 `match()` with Unicode classes (`\p{L}`), needed for exact keyword boundaries. */
  unicodeRegex: boolean;
  /** GROUP BY aggregates: count, sum, avg, min, max, count_distinct. */
  aggregates: boolean;
  /** Exact nearest-rank percentiles via arraySort(groupArray()). */
  percentiles: boolean;
  /** timeslice in UTC / fixed-offset zones (positiveModulo on epoch milliseconds). */
  timeslice: boolean;
  /** One aggregate statement for the histogram and message count of a search. */
  histogram: boolean;
  /** Top-N dynamic filtering that a statement may turn off (`use_top_k_dynamic_filtering`). */
  topKFilter: boolean;
}

const NOTHING: PushdownCapabilities = {
  scope: false,
  unicodeRegex: false,
  aggregates: false,
  percentiles: false,
  timeslice: false,
  histogram: false,
  topKFilter: false,
};

/**
 * The capability table: rows are checked in order, the first whose engine matches and whose
 * minimum version is at most the engine's version wins.
 */
export const CAPABILITY_TABLE: readonly { engine: EngineInfo['engine']; minVersion: string; capabilities: PushdownCapabilities }[] = [
  {
    engine: 'chdb',
    minVersion: '26.0',
    capabilities: { scope: true, unicodeRegex: true, aggregates: true, percentiles: true, timeslice: true, histogram: true, topKFilter: true },
  },
  {
    // The ClickHouse server adapter keeps 18.16's layout on every server version (Int64 times,
    // Nested fields; src/store/clickhouse/schema.ts) and is tested only against 18.16 here, so it
    // gets 18.16's row whatever the version: answers stay the interpreter's, only slower. 18.16 has
    // no positiveModulo, -OrNull or GROUPING SETS, and its `(?i)` matching is wrong (docs/clickhouse-18.md):
    // scope (without exact Unicode boundaries the planner keeps the keyword check in JS) and time only.
    engine: 'clickhouse',
    minVersion: '18.16',
    capabilities: { ...NOTHING, scope: true },
  },
];

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The pushdown features of an engine (nothing for an unknown engine or a too-old version). */
export function capabilitiesFor(info: EngineInfo): PushdownCapabilities {
  const row = CAPABILITY_TABLE.find((r) => r.engine === info.engine && compareVersions(info.version, r.minVersion) >= 0);
  return row?.capabilities ?? NOTHING;
}

/** Pushes nothing but the time range: the interpreter does all the work (reference behaviour). */
export const NO_PUSHDOWN: PushdownCapabilities = NOTHING;
