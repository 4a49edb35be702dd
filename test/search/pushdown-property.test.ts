/** Pushdown ≡ interpreter on random rows and queries, on chDB (pushdown-property.case.ts). */
import { openTempStore } from '../support/temp-store.js';
import { describePushdownProperty } from './pushdown-property.case.js';

describePushdownProperty('chdb', () => openTempStore('pushdown-prop'));
