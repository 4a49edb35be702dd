/** The streaming interpreter of the Sumo Logic query language (the executable spec). */
export { compileQuery, type CompiledQuery } from './compile.js';
export { collectQuery, orderFields, runQuery, type QueryResult } from './run.js';
export type { QueryContext, RunShifted } from './stage.js';
export type { Row, Value } from './values.js';
export { InterpreterCode, type InterpreterDiagnostic } from './diagnostics.js';
export { listFunctions, findFunction } from './functions/index.js';
