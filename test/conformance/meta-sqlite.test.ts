import { openSqliteMetaStore } from '../../src/meta/sqlite/sqlite-meta-store.js';
import { describeMetaStoreConformance } from './meta-store.case.js';

describeMetaStoreConformance('sqlite', () => Promise.resolve(openSqliteMetaStore(':memory:')));
