/** Pushdown ≡ interpreter over the conformance cases on one ClickHouse 18.16 server. */
import { openClickHouseTempStore } from '../support/clickhouse-store.js';
import { describePushdownDifferential } from './pushdown-differential.case.js';

describePushdownDifferential('clickhouse 18.16', () => openClickHouseTempStore(1));
