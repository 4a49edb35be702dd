import type { Row, Value } from '../values.js';

/** Streaming state of one aggregation within one group. */
export interface Accumulator {
  /** `args` are the evaluated arguments of the call (only the value ones, not literal options). */
  add(args: readonly Value[], row: Row): void;
  /** One value per output name of the spec. */
  result(): Value[];
}

/** A compiled aggregation: the output field names and a factory of per-group states. */
export interface AggregateSpec {
  outputs: string[];
  create(): Accumulator;
}
