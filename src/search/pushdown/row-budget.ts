/**
 * A search's row limit (`search.maxRowsToRead`) across all its statements. The engine checks its
 * `max_rows_to_read` per statement; a search split into time slices, or with a histogram statement
 * beside its records, runs several. Each statement gets what is left of the search's limit, and
 * the rows it read are taken off when it ends. Statements that run side by side (the records and
 * the histogram of an aggregate) each get what was left when they started.
 */
import type { SearchWork, SelectOptions } from '../../store/log-store.js';
import { StoreError, StoreErrorKind } from '../../store/store-error.js';

export class RowBudget {
  private read = 0;

  /** `limit`: rows a whole search may read (> 0). */
  constructor(readonly limit: number) {}

  /** Rows read so far by the search's finished statements. */
  get rowsRead(): number {
    return this.read;
  }

  /**
   * Settings for the next statement: `max_rows_to_read` is what is left. Throws the engine's own
   * error name when nothing is left (a 0 would mean "no limit" to the engine).
   */
  settings(base: Record<string, string | number> | undefined): Record<string, string | number> {
    const left = this.limit - this.read;
    if (left <= 0) throw new StoreError(StoreErrorKind.TooManyRows);
    return { ...base, max_rows_to_read: left };
  }

  /** Takes a finished statement's rows off what is left. */
  readonly spend = (rows: number): void => {
    this.read += rows;
  };
}

/** Engine time added up over statements (a time slice's, to size the next slice by). */
export class EngineTime {
  ms = 0;
  readonly add = (ms: number): void => {
    this.ms += ms;
  };
}

/** The store options of one statement: its signal and settings, and with a budget the row limit left. */
export function statementOptions(options: {
  signal?: AbortSignal | undefined;
  settings?: Record<string, string | number> | undefined;
  budget?: RowBudget | undefined;
  work?: SearchWork | undefined;
  engine?: EngineTime | undefined;
}): SelectOptions {
  const { signal, settings, budget, work, engine } = options;
  const common = { ...(signal ? { signal } : {}), ...(work ? { work } : {}), ...(engine ? { onEngineMs: engine.add } : {}) };
  if (budget === undefined) return { ...common, ...(settings ? { settings } : {}) };
  return { ...common, settings: budget.settings(settings), onRowsRead: budget.spend };
}
