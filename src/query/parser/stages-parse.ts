import type {
  DelimitedStage,
  ExtractColumn,
  FieldName,
  JsonPath,
  JsonStage,
  KeyValueStage,
  ParseRegexStage,
  ParseStage,
  RegexPattern,
  Span,
} from '../ast.js';
import { DIAGNOSTICS } from '../diagnostics/catalog.js';
import { unescapeRegexString, unescapeString } from '../lexer/escapes.js';
import { TokenKind, type Token } from '../lexer/token.js';
import { atFieldOption, parseFieldOption, parseNumberValue } from './common.js';
import type { Cursor } from './cursor.js';
import { parseFieldName, parseFieldNameList } from './expression.js';
import { analyseRegex, parseJsonPath } from './literals.js';

function flag(c: Cursor, current: boolean, token: Token, option: string): boolean {
  if (current) c.report(DIAGNOSTICS.DuplicateOption, { start: token.start, end: token.end }, { option });
  return true;
}

/** Collects `"s1", "s2", …` (at least one string must be current). */
function parseStringList(c: Cursor): Token[] {
  const strings: Token[] = [];
  do {
    strings.push(c.expect(TokenKind.String, 'a quoted string'));
  } while (c.is(TokenKind.Comma) && c.is(TokenKind.String, 1) && c.next() !== undefined);
  return strings;
}

/**
 * `parse …` (anchor or regex); `start` is the offset of `parse`, which is already consumed.
 * `parse "a=*" as a, "b=*" as b` (several anchor patterns, each with its names) yields one Parse stage
 * per pattern, sharing `field=` and `nodrop` — the same as piping them one after another.
 */
export function parseParseStage(c: Cursor, start: number): ParseStage[] | ParseRegexStage {
  let regexKeyword: Token | undefined;
  if (c.isWord('regex')) regexKeyword = c.next();
  let sourceField: FieldName | undefined;
  let nodrop = false;
  let multi = false;
  const patterns: Token[] = [];
  const anchors: { pattern: Token; fields: FieldName[] | undefined }[] = [];
  let fields: FieldName[] | undefined;
  while (!c.atEnd()) {
    if (atFieldOption(c)) sourceField = parseFieldOption(c, sourceField);
    else if (c.isWord('nodrop')) nodrop = flag(c, nodrop, c.next(), 'nodrop');
    else if (c.isWord('multi')) multi = flag(c, multi, c.next(), 'multi');
    else if (regexKeyword === undefined && patterns.length === 0 && anchors.length === 0 && c.isWord('regex'))
      regexKeyword = c.next();
    else if (regexKeyword !== undefined && c.is(TokenKind.String) && fields === undefined)
      patterns.push(...parseStringList(c));
    else if (
      regexKeyword !== undefined &&
      patterns.length > 0 &&
      c.is(TokenKind.Comma) &&
      c.isWord('regex', 1)
    ) {
      // `parse regex "a", regex "b"`
      c.next();
      c.next();
    } else if (
      regexKeyword === undefined &&
      c.is(TokenKind.String) &&
      (anchors.length === 0 || anchors[anchors.length - 1]!.fields !== undefined)
    ) {
      anchors.push({ pattern: c.next(), fields: undefined });
    } else if (
      regexKeyword === undefined &&
      c.isWord('as') &&
      anchors.length > 0 &&
      anchors[anchors.length - 1]!.fields === undefined
    ) {
      c.next();
      const anchor = anchors[anchors.length - 1]!;
      anchor.fields = parseAnchorNames(c);
      // `, "next pattern" as …`
      if (c.is(TokenKind.Comma) && c.is(TokenKind.String, 1)) c.next();
    } else if (regexKeyword !== undefined && c.isWord('as') && fields === undefined && patterns.length > 0) {
      c.next();
      fields = parseFieldNameList(c);
    } else if (patterns.length === 0 && anchors.length === 0) c.failUnexpected('a quoted pattern');
    else c.failUnexpected(regexKeyword !== undefined ? 'nodrop, multi or field=' : '"as", nodrop or field=');
  }
  if (regexKeyword !== undefined) {
    if (patterns.length === 0) c.failUnexpected('a quoted regular expression');
    return buildRegexStage(c, {
      start,
      keyword: 'parse regex',
      patterns,
      aliases: fields ?? [],
      sourceField,
      nodrop,
      multi,
    });
  }
  if (anchors.length === 0) c.failUnexpected('a quoted pattern');
  const span = c.spanFrom(start);
  return anchors.map(({ pattern: patternToken, fields: names }) => {
    const patternSpan = { start: patternToken.start, end: patternToken.end };
    const pattern = unescapeString(patternToken.value ?? '');
    if (names === undefined)
      return c.fail(
        DIAGNOSTICS.UnexpectedToken,
        { start: patternToken.end, end: patternToken.end },
        { expected: '"as" and field names', found: 'nothing' },
      );
    if (pattern.includes('**')) c.fail(DIAGNOSTICS.ParseDoubleStar, patternSpan);
    const stars = [...pattern].filter((ch) => ch === '*').length;
    if (stars !== names.length)
      c.fail(
        DIAGNOSTICS.ParseFieldCount,
        { start: patternToken.start, end: names[names.length - 1]?.span.end ?? patternToken.end },
        { stars, fields: names.length },
      );
    if (multi)
      c.report(DIAGNOSTICS.InvalidOption, patternSpan, {
        option: 'multi',
        reason: 'only parse regex supports multi',
      });
    return { kind: 'Parse', pattern, patternSpan, fields: names, sourceField, nodrop, span };
  });
}

/** Names after `as` in an anchor parse: `a, b` or `(a, b)`; stops before `, "next pattern"`. */
function parseAnchorNames(c: Cursor): FieldName[] {
  if (c.is(TokenKind.LParen)) return parseFieldNameList(c);
  const names: FieldName[] = [parseFieldName(c)];
  while (c.is(TokenKind.Comma) && !c.is(TokenKind.String, 1)) {
    c.next();
    names.push(parseFieldName(c));
  }
  return names;
}

interface RegexStageParts {
  start: number;
  keyword: 'parse regex' | 'extract';
  patterns: Token[];
  aliases: FieldName[];
  sourceField: FieldName | undefined;
  nodrop: boolean;
  multi: boolean;
}

function buildRegexStage(c: Cursor, parts: RegexStageParts): ParseRegexStage {
  const patterns: RegexPattern[] = parts.patterns.map((token) => {
    const source = unescapeRegexString(token.value ?? '');
    const span: Span = { start: token.start, end: token.end };
    const { groupNames, hasUnnamedGroup } = analyseRegex(source);
    if (parts.aliases.length === 0) {
      if (groupNames.length === 0) c.fail(DIAGNOSTICS.RegexWithoutNamedGroup, span);
      if (hasUnnamedGroup) c.report(DIAGNOSTICS.RegexUnnamedGroup, span);
    }
    return { kind: 'RegexPattern', source, groupNames, span };
  });
  return {
    kind: 'ParseRegex',
    keyword: parts.keyword,
    patterns,
    aliases: parts.aliases,
    sourceField: parts.sourceField,
    nodrop: parts.nodrop,
    multi: parts.multi,
    span: c.spanFrom(parts.start),
  };
}

/** `extract [field=f] "re"[, …] [nodrop] [multi]`. */
export function parseExtractStage(c: Cursor, start: number): ParseRegexStage {
  let sourceField: FieldName | undefined;
  let nodrop = false;
  let multi = false;
  const patterns: Token[] = [];
  let aliases: FieldName[] = [];
  while (!c.atEnd()) {
    if (atFieldOption(c)) sourceField = parseFieldOption(c, sourceField);
    else if (c.isWord('nodrop')) nodrop = flag(c, nodrop, c.next(), 'nodrop');
    else if (c.isWord('multi')) multi = flag(c, multi, c.next(), 'multi');
    else if (c.isWord('regex') && patterns.length === 0) c.next();
    else if (c.is(TokenKind.String)) patterns.push(...parseStringList(c));
    else if (c.isWord('as') && patterns.length > 0) {
      c.next();
      aliases = parseFieldNameList(c);
    } else
      c.failUnexpected(patterns.length === 0 ? 'a quoted regular expression' : 'nodrop, multi or field=');
  }
  if (patterns.length === 0) c.failUnexpected('a quoted regular expression');
  return buildRegexStage(c, { start, keyword: 'extract', patterns, aliases, sourceField, nodrop, multi });
}

/** `json …` (paths or auto). */
export function parseJsonStage(c: Cursor, start: number): JsonStage {
  const stage: JsonStage = {
    kind: 'Json',
    mode: 'paths',
    paths: [],
    aliases: [],
    sourceField: undefined,
    nodrop: false,
    maxDepth: undefined,
    extractArrays: false,
    keys: [],
    refonly: false,
    span: { start, end: start },
  };
  let sawAs = false;
  while (!c.atEnd()) {
    if (atFieldOption(c)) stage.sourceField = parseFieldOption(c, stage.sourceField);
    else if (c.isWord('nodrop')) stage.nodrop = flag(c, stage.nodrop, c.next(), 'nodrop');
    else if (c.isWord('auto')) {
      c.next();
      stage.mode = 'auto';
    } else if (c.isWord('maxdepth')) {
      c.next();
      c.accept(TokenKind.Equal);
      stage.maxDepth = parseNumberValue(c, 'maxdepth', true);
    } else if (c.isWord('extractarrays'))
      stage.extractArrays = flag(c, stage.extractArrays, c.next(), 'extractarrays');
    else if (c.isWord('refonly')) stage.refonly = flag(c, stage.refonly, c.next(), 'refonly');
    else if (c.isWord('keys')) {
      c.next();
      stage.keys.push(...parseStringList(c).map((t) => unescapeString(t.value ?? '')));
    } else if (c.is(TokenKind.String) && !sawAs) {
      for (const token of parseStringList(c)) stage.paths.push(parseJsonPathToken(c, token));
    } else if (c.isWord('as') && !sawAs) {
      c.next();
      sawAs = true;
      stage.aliases = parseFieldNameList(c);
    } else
      c.failUnexpected(
        stage.paths.length === 0 && stage.mode === 'paths'
          ? 'a quoted JSON path or auto'
          : '"as", nodrop or field=',
      );
  }
  if (stage.mode === 'paths' && stage.paths.length === 0) c.failUnexpected('a quoted JSON path or auto');
  if (stage.mode === 'paths' && stage.aliases.length > 0 && stage.aliases.length !== stage.paths.length) {
    c.fail(DIAGNOSTICS.AliasCount, c.spanFrom(start), {
      operator: 'json',
      paths: stage.paths.length,
      aliases: stage.aliases.length,
    });
  }
  stage.span = c.spanFrom(start);
  return stage;
}

function parseJsonPathToken(c: Cursor, token: Token): JsonPath {
  const text = unescapeString(token.value ?? '');
  const span = { start: token.start, end: token.end };
  const parsed = parseJsonPath(text);
  if ('error' in parsed) {
    if (parsed.unsupported === true) return c.fail(DIAGNOSTICS.UnsupportedJsonFilter, span, { path: text });
    return c.fail(DIAGNOSTICS.InvalidJsonPath, span, { path: text, reason: parsed.error });
  }
  return { kind: 'JsonPath', text, segments: parsed.segments, span };
}

/** `kv …` / `keyvalue …`. */
export function parseKeyValueStage(c: Cursor, start: number, keyword: 'kv' | 'keyvalue'): KeyValueStage {
  const stage: KeyValueStage = {
    kind: 'KeyValue',
    keyword,
    mode: 'infer',
    regex: undefined,
    keys: [],
    aliases: [],
    sourceField: undefined,
    delimiter: undefined,
    refonly: false,
    nodrop: false,
    span: { start, end: start },
  };
  let sawAs = false;
  while (!c.atEnd()) {
    if (atFieldOption(c)) stage.sourceField = parseFieldOption(c, stage.sourceField);
    else if (c.isWord('nodrop')) stage.nodrop = flag(c, stage.nodrop, c.next(), 'nodrop');
    else if (c.isWord('refonly')) stage.refonly = flag(c, stage.refonly, c.next(), 'refonly');
    else if (c.isWord('infer')) {
      c.next();
      stage.mode = 'infer';
    } else if (c.isWord('auto')) {
      c.next();
      stage.mode = 'auto';
    } else if (c.isWord('regex') && stage.regex === undefined) {
      c.next();
      stage.mode = 'regex';
      stage.regex = unescapeRegexString(
        c.expect(TokenKind.String, 'a quoted regular expression').value ?? '',
      );
    } else if (c.isWord('delim')) {
      c.next();
      c.accept(TokenKind.Equal);
      const t = c.peek();
      if (t.kind !== TokenKind.String && t.kind !== TokenKind.SingleString)
        c.failUnexpected('a quoted delimiter');
      c.next();
      stage.delimiter = t.kind === TokenKind.String ? unescapeString(t.value ?? '') : (t.value ?? '');
    } else if (c.isWord('keys')) {
      c.next();
      stage.keys.push(...parseStringList(c).map((t) => unescapeString(t.value ?? '')));
    } else if (c.is(TokenKind.String) && !sawAs) {
      stage.keys.push(...parseStringList(c).map((t) => unescapeString(t.value ?? '')));
    } else if (c.isWord('as') && !sawAs) {
      c.next();
      sawAs = true;
      stage.aliases = parseFieldNameList(c);
    } else c.failUnexpected('keys, "as", nodrop or field=');
  }
  if (stage.aliases.length > 0 && stage.aliases.length !== stage.keys.length) {
    c.fail(DIAGNOSTICS.AliasCount, c.spanFrom(start), {
      operator: keyword,
      paths: stage.keys.length,
      aliases: stage.aliases.length,
    });
  }
  stage.span = c.spanFrom(start);
  return stage;
}

/** `csv <field> [options] extract …` and `split <field> [options] extract …`. */
export function parseDelimitedStage(c: Cursor, start: number, kind: 'Csv' | 'Split'): DelimitedStage {
  const operator = kind === 'Csv' ? 'csv' : 'split';
  const sourceField = parseFieldName(c);
  const options: Record<'delim' | 'escape' | 'quote', string | undefined> = {
    delim: undefined,
    escape: undefined,
    quote: undefined,
  };
  while (!c.atEnd() && !c.isWord('extract')) {
    const t = c.peek();
    const word = t.kind === TokenKind.Word ? t.text.toLowerCase() : '';
    if (word === 'nodrop') c.fail(DIAGNOSTICS.NodropNotAllowed, { start: t.start, end: t.end }, { operator });
    if (word !== 'delim' && word !== 'escape' && word !== 'quote')
      c.failUnexpected('delim=, escape=, quote= or extract');
    c.next();
    c.expect(TokenKind.Equal, `"=" after ${word}`);
    const v = c.peek();
    if (v.kind !== TokenKind.String && v.kind !== TokenKind.SingleString)
      c.failUnexpected(`a quoted ${word} character`);
    c.next();
    const value = v.kind === TokenKind.String ? unescapeString(v.value ?? '') : (v.value ?? '');
    if ([...value].length !== 1)
      c.fail(DIAGNOSTICS.InvalidDelimiter, { start: v.start, end: v.end }, { option: word, value });
    if (options[word as 'delim'] !== undefined)
      c.report(DIAGNOSTICS.DuplicateOption, { start: t.start, end: v.end }, { option: word });
    options[word as 'delim'] = value;
    c.accept(TokenKind.Comma);
  }
  c.expectWord('extract');
  const columns: ExtractColumn[] = [];
  let position = 0;
  do {
    const t = c.peek();
    if (t.kind === TokenKind.Number && c.isWord('as', 1)) {
      position = parseNumberValue(c, 'a column number', true);
      c.next();
      const field = parseFieldName(c);
      columns.push({ kind: 'ExtractColumn', position, field, span: c.spanFrom(t.start) });
    } else {
      const field = parseFieldName(c);
      position++;
      if (field.name !== '_' || field.quoted)
        columns.push({ kind: 'ExtractColumn', position, field, span: field.span });
    }
  } while (c.accept(TokenKind.Comma));
  if (c.isWord('nodrop')) {
    const t = c.peek();
    c.fail(DIAGNOSTICS.NodropNotAllowed, { start: t.start, end: t.end }, { operator });
  }
  return {
    kind,
    sourceField,
    delimiter: options.delim,
    escape: options.escape,
    quote: options.quote,
    columns,
    span: c.spanFrom(start),
  };
}
