/**
 * JSON extraction for the `json` operator. Values come back as text (Sumo's fields are strings):
 * numbers as their JSON text, booleans as "true"/"false", JSON null as null, objects and arrays
 * as compact JSON. A path with `[*]` or `..` returns the JSON array of all matches.
 */
import type { JsonPathSegment } from '../../ast.js';
import type { Value } from '../values.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Parses the whole text as JSON, else the span from the first `{`/`[` to the last `}`/`]`. */
export function parseJsonLoose(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    const start = text.search(/[{[]/);
    if (start < 0) return undefined;
    const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
    if (end <= start) return undefined;
    try {
      return JSON.parse(text.slice(start, end + 1)) as Json;
    } catch {
      return undefined;
    }
  }
}

/** `json auto`: the last parseable JSON object in the text (scans candidate starts from the end). */
export function findJsonFromEnd(text: string): { [k: string]: Json } | undefined {
  const end = text.lastIndexOf('}');
  if (end < 0) return undefined;
  let start = text.lastIndexOf('{', end);
  let tries = 0;
  while (start >= 0 && tries < 64) {
    try {
      const v = JSON.parse(text.slice(start, end + 1)) as Json;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      // keep scanning left
    }
    start = text.lastIndexOf('{', start - 1);
    tries++;
  }
  return undefined;
}

function isObject(v: Json): v is { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function descendants(v: Json, out: Json[]): void {
  out.push(v);
  if (Array.isArray(v)) for (const x of v) descendants(x, out);
  else if (isObject(v)) for (const x of Object.values(v)) descendants(x, out);
}

/** Evaluates a path; undefined when nothing matches. */
export function evalJsonPath(doc: Json, segments: readonly JsonPathSegment[]): { value: Json; multi: boolean } | undefined {
  let current: Json[] = [doc];
  let multi = false;
  for (const seg of segments) {
    const next: Json[] = [];
    for (const v of current) {
      switch (seg.type) {
        case 'key':
          if (isObject(v) && Object.prototype.hasOwnProperty.call(v, seg.name)) next.push(v[seg.name] as Json);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const i = seg.index < 0 ? v.length + seg.index : seg.index;
            if (i >= 0 && i < v.length) next.push(v[i] as Json);
          }
          break;
        case 'wildcard':
          multi = true;
          if (Array.isArray(v)) next.push(...v);
          else if (isObject(v)) next.push(...Object.values(v));
          break;
        case 'descendant':
          multi = true;
          descendants(v, next);
          break;
      }
    }
    current = next;
  }
  if (multi) return { value: current, multi };
  if (current.length === 0) return undefined;
  return { value: current[0] as Json, multi };
}

/** JSON value → field value. */
export function jsonToValue(v: Json): Value {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export interface FlattenOptions {
  maxDepth: number | undefined;
  extractArrays: boolean;
  limit: number;
}

/** `json auto` flattening: nested keys as `a.b`, arrays as JSON (or `a[0]` with extractarrays). */
export function flattenJson(obj: { [k: string]: Json }, opts: FlattenOptions): Array<[string, Value]> {
  const out: Array<[string, Value]> = [];
  const walk = (v: Json, name: string, depth: number): void => {
    if (out.length >= opts.limit) return;
    const deeper = opts.maxDepth === undefined || depth < opts.maxDepth;
    if (isObject(v) && deeper && name !== '') {
      for (const [k, x] of Object.entries(v)) walk(x, `${name}.${k.replace(/\s/g, '_')}`, depth + 1);
    } else if (isObject(v) && name === '') {
      for (const [k, x] of Object.entries(v)) walk(x, k.replace(/\s/g, '_'), 1);
    } else if (Array.isArray(v) && opts.extractArrays && deeper && v.every((x) => x === null || typeof x !== 'object')) {
      v.forEach((x, i) => out.length < opts.limit && out.push([`${name}[${i}]`, jsonToValue(x)]));
    } else {
      out.push([name, jsonToValue(v)]);
    }
  };
  walk(obj, '', 0);
  return out;
}

export type { Json };
