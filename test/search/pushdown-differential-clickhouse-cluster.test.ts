/** Pushdown ≡ interpreter over the conformance cases on a 2-shard ClickHouse 18.16 cluster (Distributed). */
import { openClickHouseTempStore } from '../support/clickhouse-store.js';
import { describePushdownDifferential } from './pushdown-differential.case.js';

describePushdownDifferential('clickhouse 18.16, 2 shards', () => openClickHouseTempStore(2));
