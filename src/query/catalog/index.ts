export { FUNCTIONS, findFunction } from './functions.js';
export type { FunctionInfo } from './functions.js';
export {
  AGGREGATES,
  OPERATORS,
  OperatorKind,
  UNSUPPORTED_OPERATORS,
  findAggregate,
  findOperator,
  isUnsupportedOperator,
} from './operators.js';
export type { AggregateInfo, OperatorInfo } from './operators.js';
export { didYouMean, editDistance, suggest } from './suggest.js';
