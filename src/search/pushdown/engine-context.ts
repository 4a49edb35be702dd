/** What the planner takes from the store's engine: its capabilities and its full-text index. */
import type { LogStore, StoreEngine } from '../../store/log-store.js';
import { capabilitiesFor, NO_PUSHDOWN, type PushdownCapabilities } from '../../query/plan/capabilities.js';
import type { IndexNarrowing } from '../../query/plan/scope-sql.js';

const engines = new WeakMap<LogStore, Promise<StoreEngine>>();

/** The store's engine, asked once per store (it does not change while the store is open). */
export function storeEngine(store: LogStore): Promise<StoreEngine> {
  let engine = engines.get(store);
  if (engine === undefined) {
    engine = store.engine();
    engines.set(store, engine);
    // A failed probe is retried next time.
    engine.catch(() => engines.delete(store));
  }
  return engine;
}

export interface EngineContext {
  caps: PushdownCapabilities;
  index: IndexNarrowing | undefined;
  /** the store keeps per-minute counts the planner may read (StoreEngine.minuteCounts) */
  minuteCounts: boolean;
}

/**
 * Capabilities and index narrowing of an engine (`pushdown: false` pushes only the time range).
 * The narrowing comes from the store (LogStore.textIndexPredicate); without a store (explain
 * from the engine's description alone) there is none.
 */
export function engineContext(engine: StoreEngine, pushdown = true, store?: Pick<LogStore, 'textIndexPredicate'>): EngineContext {
  if (!pushdown) return { caps: NO_PUSHDOWN, index: undefined, minuteCounts: false };
  const kind = engine.textIndex ?? 'none';
  return {
    caps: capabilitiesFor(engine),
    index: kind === 'none' || store === undefined ? undefined : (term) => store.textIndexPredicate(term),
    minuteCounts: engine.minuteCounts === true,
  };
}
