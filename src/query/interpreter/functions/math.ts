/** Math functions (Java Math semantics; non-numeric input gives null). */
import { toNumber, type Value } from '../values.js';
import { arg, defineFunction, type FunctionDef } from './types.js';

function unary(name: string, f: (x: number) => number): FunctionDef {
  return defineFunction(name, 1, 1, (args) => {
    const x = toNumber(arg(args, 0));
    if (x === null) return null;
    const r = f(x);
    return Number.isNaN(r) ? null : r;
  });
}

/** Java Math.round: half up (towards +∞) — same as JS Math.round. */
function roundDigits(x: number, digits: number): number {
  if (digits === 0) return Math.round(x);
  // Scale through the decimal string to avoid 1.005*100 = 100.49999 artefacts.
  const [m, e] = x.toExponential().split('e') as [string, string];
  const scaled = Math.round(Number(`${m}e${Number(e) + digits}`));
  const [m2, e2] = scaled.toExponential().split('e') as [string, string];
  return Number(`${m2}e${Number(e2) - digits}`);
}

const EARTH_RADIUS_KM = 6371;

export const MATH_FUNCTIONS: FunctionDef[] = [
  unary('abs', Math.abs),
  defineFunction('round', 1, 2, (args) => {
    const x = toNumber(arg(args, 0));
    if (x === null) return null;
    const d = args.length > 1 ? toNumber(arg(args, 1)) : 0;
    return d === null ? null : roundDigits(x, Math.trunc(d));
  }),
  unary('ceil', Math.ceil),
  unary('floor', Math.floor),
  unary('sqrt', Math.sqrt),
  unary('cbrt', Math.cbrt),
  unary('log', Math.log),
  unary('log10', Math.log10),
  unary('log1p', Math.log1p),
  unary('exp', Math.exp),
  unary('expm1', Math.expm1),
  unary('sin', Math.sin),
  unary('cos', Math.cos),
  unary('tan', Math.tan),
  unary('asin', Math.asin),
  unary('acos', Math.acos),
  unary('atan', Math.atan),
  unary('sinh', Math.sinh),
  unary('cosh', Math.cosh),
  unary('tanh', Math.tanh),
  unary('signum', Math.sign),
  unary('toDegrees', (x) => (x * 180) / Math.PI),
  unary('toRadians', (x) => (x * Math.PI) / 180),
  defineFunction('atan2', 2, 2, (args) => {
    const y = toNumber(arg(args, 0));
    const x = toNumber(arg(args, 1));
    return y === null || x === null ? null : Math.atan2(y, x);
  }),
  defineFunction('pow', 2, 2, (args) => {
    const b = toNumber(arg(args, 0));
    const e = toNumber(arg(args, 1));
    if (b === null || e === null) return null;
    const r = Math.pow(b, e);
    return Number.isNaN(r) ? null : r;
  }),
  defineFunction('hypot', 2, 2, (args) => {
    const a = toNumber(arg(args, 0));
    const b = toNumber(arg(args, 1));
    return a === null || b === null ? null : Math.hypot(a, b);
  }),
  // Scalar min/max of their arguments (the one-argument forms are the aggregates).
  defineFunction('min', 2, Infinity, (args) => numericFold(args, Math.min)),
  defineFunction('max', 2, Infinity, (args) => numericFold(args, Math.max)),
  // Great-circle distance in km on a sphere of radius 6371 km.
  defineFunction('haversine', 4, 4, (args) => {
    const [lat1, lon1, lat2, lon2] = [0, 1, 2, 3].map((i) => toNumber(arg(args, i)));
    if (lat1 == null || lon1 == null || lat2 == null || lon2 == null) return null;
    const rad = Math.PI / 180;
    const dLat = (lat2 - lat1) * rad;
    const dLon = (lon2 - lon1) * rad;
    const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }),
];

function numericFold(args: readonly Value[], f: (a: number, b: number) => number): Value {
  let acc: number | null = null;
  for (const a of args) {
    const n = toNumber(a);
    if (n === null) return null;
    acc = acc === null ? n : f(acc, n);
  }
  return acc;
}
