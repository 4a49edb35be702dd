/**
 * Scalar functions usable in expressions (`where`, `if`, `expr as f`). Names are lower-case; lookups
 * are case-insensitive. `maxArgs: Infinity` means variadic. `supported: false` marks functions the
 * parser accepts but the interpreter does not implement yet (reported as Q3002).
 */
export interface FunctionInfo {
  minArgs: number;
  maxArgs: number;
  /** Sumo spelling, for messages and docs. */
  displayName: string;
  category: 'string' | 'math' | 'conversion' | 'time' | 'network' | 'predicate' | 'misc';
  supported?: boolean;
}

function fn(
  displayName: string,
  minArgs: number,
  maxArgs: number,
  category: FunctionInfo['category'],
  supported = true,
): [string, FunctionInfo] {
  const info: FunctionInfo = { displayName, minArgs, maxArgs, category };
  if (!supported) info.supported = false;
  return [displayName.toLowerCase(), info];
}

const V = Number.POSITIVE_INFINITY;

export const FUNCTIONS: ReadonlyMap<string, FunctionInfo> = new Map<string, FunctionInfo>([
  // strings (§1.6)
  fn('concat', 1, V, 'string'),
  fn('format', 1, V, 'string'),
  fn('replace', 3, 3, 'string'),
  fn('substring', 2, 3, 'string'),
  fn('length', 1, 1, 'string'),
  fn('toLowerCase', 1, 1, 'string'),
  fn('toUpperCase', 1, 1, 'string'),
  fn('trim', 1, 1, 'string'),
  fn('contains', 2, 2, 'string'),
  fn('urlDecode', 1, 1, 'string'),
  fn('urlEncode', 1, 1, 'string'),
  fn('base64Decode', 1, 2, 'string'),
  fn('base64Encode', 1, 2, 'string'),
  fn('escapeHtml', 1, 1, 'string'),
  fn('toUrl', 1, 4, 'string'),
  fn('hash', 1, 2, 'string'),
  fn('luhn', 1, 1, 'string'),
  fn('hexToAscii', 1, 1, 'string'),
  fn('jsonArrayContains', 2, 2, 'string'),
  // predicates (§1.4, §1.6)
  fn('isNull', 1, 1, 'predicate'),
  fn('isEmpty', 1, 1, 'predicate'),
  fn('isBlank', 1, 1, 'predicate'),
  fn('isNumeric', 1, 1, 'predicate'),
  fn('isValidIP', 1, 1, 'network'),
  fn('isValidIPv4', 1, 1, 'network'),
  fn('isValidIPv6', 1, 1, 'network'),
  fn('isPrivateIP', 1, 1, 'network'),
  fn('isPublicIP', 1, 1, 'network'),
  // network
  fn('compareCIDRPrefix', 3, 3, 'network'),
  fn('getCIDRPrefix', 2, 2, 'network'),
  fn('maskFromCIDR', 1, 1, 'network'),
  fn('ipv4ToNumber', 1, 1, 'network'),
  fn('lookupContains', 2, V, 'misc', false),
  // conversions
  fn('num', 1, 1, 'conversion'),
  fn('number', 1, 1, 'conversion'),
  fn('toNumber', 1, 1, 'conversion'),
  fn('toInt', 1, 1, 'conversion'),
  fn('int', 1, 1, 'conversion'),
  fn('toLong', 1, 1, 'conversion'),
  fn('long', 1, 1, 'conversion'),
  fn('toDouble', 1, 1, 'conversion'),
  fn('toString', 1, 1, 'conversion'),
  fn('parseHex', 1, 2, 'conversion'),
  fn('decToHex', 1, 1, 'conversion'),
  fn('hexToDec', 1, 1, 'conversion'),
  // math (Java Math)
  fn('abs', 1, 1, 'math'),
  fn('acos', 1, 1, 'math'),
  fn('asin', 1, 1, 'math'),
  fn('atan', 1, 1, 'math'),
  fn('atan2', 2, 2, 'math'),
  fn('cbrt', 1, 1, 'math'),
  fn('ceil', 1, 1, 'math'),
  fn('cos', 1, 1, 'math'),
  fn('cosh', 1, 1, 'math'),
  fn('exp', 1, 1, 'math'),
  fn('expm1', 1, 1, 'math'),
  fn('floor', 1, 1, 'math'),
  fn('hypot', 2, 2, 'math'),
  fn('log', 1, 1, 'math'),
  fn('log10', 1, 1, 'math'),
  fn('log1p', 1, 1, 'math'),
  fn('pow', 2, 2, 'math'),
  fn('round', 1, 2, 'math'),
  fn('signum', 1, 1, 'math'),
  fn('sin', 1, 1, 'math'),
  fn('sinh', 1, 1, 'math'),
  fn('sqrt', 1, 1, 'math'),
  fn('tan', 1, 1, 'math'),
  fn('tanh', 1, 1, 'math'),
  fn('toDegrees', 1, 1, 'math'),
  fn('toRadians', 1, 1, 'math'),
  fn('haversine', 4, 4, 'math'),
  // two-argument scalar forms; as a stage, `min`/`max` are aggregates
  fn('min', 2, V, 'math'),
  fn('max', 2, V, 'math'),
  // time
  fn('now', 0, 0, 'time'),
  fn('formatDate', 1, 3, 'time'),
  fn('parseDate', 1, 3, 'time'),
  fn('queryStartTime', 0, 0, 'time'),
  fn('queryEndTime', 0, 0, 'time'),
  fn('queryTimeRange', 0, 0, 'time'),
  fn('fromMillis', 1, 1, 'time'),
  fn('fromSeconds', 1, 1, 'time'),
  fn('fromMicros', 1, 1, 'time'),
  fn('fromNanos', 1, 1, 'time'),
  fn('toMillis', 1, 1, 'time'),
  // conditional (parsed into a Conditional node, listed for did-you-mean and arity)
  fn('if', 3, 3, 'misc'),
]);

/** Looks up a scalar function case-insensitively. */
export function findFunction(name: string): FunctionInfo | undefined {
  return FUNCTIONS.get(name.toLowerCase());
}
