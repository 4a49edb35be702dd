export { parseQuery } from './parser.js';
export type { ParseResult } from './parser.js';
