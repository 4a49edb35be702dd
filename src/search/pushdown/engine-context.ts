/** What the planner takes from the store's engine: its capabilities and its full-text index. */
import { textIndexPredicate } from '../../store/chdb/text-index.js';
import type { StoreEngine } from '../../store/log-store.js';
import { capabilitiesFor, NO_PUSHDOWN, type PushdownCapabilities } from './capabilities.js';
import type { IndexNarrowing } from './scope-sql.js';

export interface EngineContext {
  caps: PushdownCapabilities;
  index: IndexNarrowing | undefined;
}

/** Capabilities and index narrowing of an engine (`pushdown: false` pushes only the time range). */
export function engineContext(engine: StoreEngine, pushdown = true): EngineContext {
  if (!pushdown) return { caps: NO_PUSHDOWN, index: undefined };
  const kind = engine.textIndex ?? 'none';
  return {
    caps: capabilitiesFor(engine),
    index: kind === 'none' ? undefined : (term, binder) => textIndexPredicate(term, kind, (token) => binder.bind(token, 'String')),
  };
}
