/** Compilers of the parsing stages: parse, parse regex/extract, json, kv/keyvalue, csv, split. */
import type { DelimitedStage, JsonStage, KeyValueStage, ParseRegexStage, ParseStage } from '../ast.js';
import { InterpreterCode } from './diagnostics.js';
import { readField } from './expressions.js';
import { splitDelimited } from './operators/delimited.js';
import { evalJsonPath, findJsonFromEnd, flattenJson, jsonToValue, parseJsonLoose } from './operators/json-extract.js';
import { findKey, inferPairs, keyToFieldName, regexPairs } from './operators/key-value.js';
import { compileAnchorPattern, countStars } from './operators/parse-anchor.js';
import type { LinearRegex } from '../../core/linear-regex.js';
import { toLinearRegex } from './regex.js';
import { outcomeFor, streamingStage, type CompileState, type StagePlan } from './stage.js';
import { toText, type Row } from './values.js';

function sourceText(row: Row, field: string | undefined): string | null {
  return toText(field === undefined ? (row._raw ?? null) : readField(row, field));
}

/** `parse "a*b" as x`. */
export function compileParse(stage: ParseStage, st: CompileState): StagePlan {
  const names = stage.fields.map((f) => f.name);
  if (countStars(stage.pattern) !== names.length) {
    st.sink.add(InterpreterCode.InvalidArgument, `the pattern has ${countStars(stage.pattern)} "*" but ${names.length} field name(s)`, stage.patternSpan);
  }
  const match = compileAnchorPattern(stage.pattern);
  const src = stage.sourceField?.name;
  const nodrop = stage.nodrop;
  const keep = outcomeFor(st, nodrop);
  return streamingStage((row, emit) => {
    const text = sourceText(row, src);
    const m = text === null ? null : match(text);
    if (m !== null) for (let i = 0; i < names.length; i++) row[names[i] as string] = m[i] ?? null;
    if (keep(row, m !== null)) emit(row);
  });
}

/** `parse regex "(?<x>…)" [multi]` / `extract`. */
export function compileParseRegex(stage: ParseRegexStage, st: CompileState): StagePlan {
  const compiled: { re: LinearRegex; groups: string[] }[] = [];
  for (const p of stage.patterns) {
    const r = toLinearRegex(p.source);
    if (!r.ok) {
      st.sink.add(InterpreterCode.InvalidRegex, `invalid regular expression: ${r.message}`, p.span);
      continue;
    }
    if (p.groupNames.length === 0) {
      st.sink.add(InterpreterCode.InvalidRegex, 'parse regex needs at least one named group (?<name>…)', p.span);
    }
    compiled.push({ re: r.regex, groups: p.groupNames });
  }
  // `as a, b` renames groups positionally (rare form).
  const aliases = stage.aliases.map((a) => a.name);
  const outName = (g: string, i: number): string => aliases[i] ?? g;
  const src = stage.sourceField?.name;
  const nodrop = stage.nodrop;
  const keep = outcomeFor(st, nodrop);
  if (stage.multi) {
    return streamingStage((row, emit) => {
      const text = sourceText(row, src);
      const first = compiled[0];
      let matched = false;
      if (text !== null && first !== undefined) {
        const copies: Row[] = [];
        for (const m of first.re.matchAll(text)) {
          const copy: Row = { ...row };
          first.groups.forEach((g, i) => (copy[outName(g, i)] = m.named[g] ?? null));
          copies.push(copy);
        }
        matched = copies.length > 0;
        if (matched && keep(row, true)) for (const c of copies) emit(c);
      }
      if (!matched && keep(row, false)) emit(row);
    });
  }
  return streamingStage((row, emit) => {
    const text = sourceText(row, src);
    let matched = text !== null;
    const found: Array<[string, string | null]> = [];
    if (text !== null) {
      for (const c of compiled) {
        const m = c.re.exec(text);
        if (m === null) {
          matched = false;
          break;
        }
        c.groups.forEach((g, i) => found.push([outName(g, i), m.named[g] ?? null]));
      }
    }
    // All regexes must match before any field is assigned.
    if (matched) for (const [k, v] of found) row[k] = v;
    if (keep(row, matched)) emit(row);
  });
}

function lastKeyName(stage: JsonStage, i: number): string {
  const path = stage.paths[i];
  if (path === undefined) return `_json${i}`;
  for (let j = path.segments.length - 1; j >= 0; j--) {
    const s = path.segments[j];
    if (s !== undefined && s.type === 'key') return s.name;
  }
  return path.text;
}

/** `json "a.b" as x` and `json auto`. */
export function compileJson(stage: JsonStage, st: CompileState): StagePlan {
  const src = stage.sourceField?.name;
  const nodrop = stage.nodrop;
  if (stage.mode === 'auto' || stage.paths.length === 0) {
    const keys = stage.keys;
    const aliases = stage.aliases.map((a) => a.name);
    return streamingStage((row, emit) => {
      const text = sourceText(row, src);
      const obj = text === null ? undefined : findJsonFromEnd(text);
      if (obj !== undefined) {
        const pairs = flattenJson(obj, { maxDepth: stage.maxDepth, extractArrays: stage.extractArrays, limit: 100 });
        if (keys.length > 0) {
          keys.forEach((k, i) => {
            const hit = pairs.find(([name]) => name.toLowerCase() === k.toLowerCase());
            row[aliases[i] ?? k] = hit === undefined ? null : hit[1];
          });
          if (!stage.refonly) for (const [k, v] of pairs) if (!keys.some((x) => x.toLowerCase() === k.toLowerCase())) row[k] = v;
        } else {
          for (const [k, v] of pairs) row[k] = v;
        }
      }
      // json auto never drops a message.
      emit(row);
    });
  }
  // json auto never drops, so only the paths form takes part in nodrop chaining.
  const keep = outcomeFor(st, nodrop);
  const names = stage.paths.map((_, i) => stage.aliases[i]?.name ?? lastKeyName(stage, i));
  const paths = stage.paths.map((p) => p.segments);
  return streamingStage((row, emit) => {
    const text = sourceText(row, src);
    const doc = text === null ? undefined : parseJsonLoose(text);
    let matched = doc !== undefined;
    const values = paths.map((segs) => {
      if (doc === undefined) return null;
      const r = evalJsonPath(doc, segs);
      if (r === undefined) {
        matched = false;
        return null;
      }
      return jsonToValue(r.value);
    });
    if (matched || nodrop) names.forEach((n, i) => (row[n] = values[i] ?? null));
    if (keep(row, matched)) emit(row);
  });
}

/** `kv` / `keyvalue` in infer, regex and auto modes. */
export function compileKeyValue(stage: KeyValueStage, st: CompileState): StagePlan {
  const src = stage.sourceField?.name;
  const nodrop = stage.nodrop;
  const keep = outcomeFor(st, nodrop);
  const aliases = stage.aliases.map((a) => a.name);
  const keys = stage.keys;
  let re: LinearRegex | undefined;
  if (stage.mode === 'regex' && stage.regex !== undefined) {
    const r = toLinearRegex(stage.regex);
    if (!r.ok) st.sink.add(InterpreterCode.InvalidRegex, `invalid regular expression: ${r.message}`, stage.span);
    else re = r.regex;
  }
  return streamingStage((row, emit) => {
    const text = sourceText(row, src);
    let found = 0;
    if (text !== null) {
      if (re !== undefined) {
        const pairs = regexPairs(text, re, keys);
        const list = keys.length > 0 ? keys : [...pairs.keys()];
        list.forEach((k, i) => {
          const v = pairs.get(k);
          if (v !== undefined) found++;
          row[aliases[i] ?? keyToFieldName(k)] = v ?? null;
        });
      } else if (keys.length > 0) {
        keys.forEach((k, i) => {
          const v = findKey(text, k, stage.delimiter);
          if (v !== undefined) found++;
          row[aliases[i] ?? keyToFieldName(k)] = v ?? null;
        });
        if (stage.mode === 'auto' && !stage.refonly) {
          for (const [k, v] of inferPairs(text, stage.delimiter)) if (!keys.includes(k)) row[keyToFieldName(k)] = v;
        }
      } else {
        for (const [k, v] of inferPairs(text, stage.delimiter)) {
          row[keyToFieldName(k)] = v;
          found++;
        }
      }
    }
    if (keep(row, found > 0)) emit(row);
  });
}

/** `csv f extract …` and `split f extract …` (never drop; missing columns are null). */
export function compileDelimited(stage: DelimitedStage, st: CompileState): StagePlan {
  const opts = { delimiter: stage.delimiter ?? ',', quote: stage.quote ?? '"', escape: stage.escape ?? '\\' };
  if (new Set([opts.delimiter, opts.quote, opts.escape]).size !== 3) {
    st.sink.add(InterpreterCode.InvalidArgument, 'delimiter, quote and escape must be different characters', stage.span);
  }
  const src = stage.sourceField.name;
  const cols = stage.columns.map((c) => ({ index: c.position - 1, name: c.field.name }));
  return streamingStage((row, emit) => {
    const text = sourceText(row, src === '_raw' ? undefined : src);
    const cells = text === null ? [] : splitDelimited(text, opts);
    for (const c of cols) row[c.name] = cells[c.index] ?? null;
    emit(row);
  });
}
