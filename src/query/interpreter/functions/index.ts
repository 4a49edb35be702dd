/** The scalar function table, keyed by lower-case name. */
import { EXTRA_FUNCTIONS } from './extra.js';
import { MATH_FUNCTIONS } from './math.js';
import { PREDICATE_FUNCTIONS } from './predicates.js';
import { STRING_FUNCTIONS } from './string.js';
import { TIME_FUNCTIONS } from './time.js';
import type { FunctionDef } from './types.js';

export type { FunctionContext, FunctionDef } from './types.js';

const table = new Map<string, FunctionDef>();
for (const f of [...STRING_FUNCTIONS, ...MATH_FUNCTIONS, ...PREDICATE_FUNCTIONS, ...TIME_FUNCTIONS, ...EXTRA_FUNCTIONS]) {
  table.set(f.name.toLowerCase(), f);
}

/** Looks a function up by name, case-insensitively. */
export function findFunction(name: string): FunctionDef | undefined {
  return table.get(name.toLowerCase());
}

/** Every function the interpreter implements (canonical names). */
export function listFunctions(): string[] {
  return [...table.values()].map((f) => f.name);
}
