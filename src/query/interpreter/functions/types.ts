import type { Value } from '../values.js';

/** What a function may read besides its arguments. */
export interface FunctionContext {
  timeZone: string;
  /** epoch ms for now() */
  now: number;
  /** query range, epoch ms; null when the caller gave none (local files) */
  from: number | null;
  to: number | null;
}

/** A scalar function. Bad argument types give null; they never throw. */
export interface FunctionDef {
  /** Canonical spelling (as in the Sumo docs). Lookup is case-insensitive. */
  name: string;
  minArgs: number;
  /** Infinity for variadic */
  maxArgs: number;
  call(args: readonly Value[], ctx: FunctionContext): Value;
}

/** Shorthand constructor. */
export function defineFunction(
  name: string,
  minArgs: number,
  maxArgs: number,
  call: (args: readonly Value[], ctx: FunctionContext) => Value,
): FunctionDef {
  return { name, minArgs, maxArgs, call };
}

/** The i-th argument or null. */
export function arg(args: readonly Value[], i: number): Value {
  const v = args[i];
  return v === undefined ? null : v;
}
