/** Pushdown ≡ interpreter on random rows and queries, on a 2-shard ClickHouse 18.16 cluster (pushdown-property.case.ts). */
import { openClickHouseTempStore } from '../support/clickhouse-store.js';
import { describePushdownProperty } from './pushdown-property.case.js';

describePushdownProperty('clickhouse 18.16, 2 shards', () => openClickHouseTempStore(2), 100);
