import type {
  CompareStage,
  Expr,
  FieldName,
  FillGenerator,
  FillMissingStage,
  OutlierStage,
  PredictStage,
  SeriesStage,
  StageOption,
  TimeShift,
  TransposeStage,
} from '../ast.js';
import { DIAGNOSTICS } from '../diagnostics/catalog.js';
import { TokenKind } from '../lexer/token.js';
import { atDuration, expectStageEnd, parseDuration, parseNumberValue } from './common.js';
import type { Cursor } from './cursor.js';
import { parseExpression, parseFieldName, parseFieldNameList } from './expression.js';
import { parseDurationText, parseNumberText } from './literals.js';

/** `transpose row r… column c… [as a, b, *]` (row/column in either order). */
export function parseTransposeStage(c: Cursor, start: number): TransposeStage {
  let row: FieldName[] | undefined;
  let column: FieldName[] | undefined;
  const asFields: FieldName[] = [];
  let asStar = false;
  while (!c.atEnd()) {
    if (row === undefined && c.acceptWord('row')) row = parseFieldNameList(c);
    else if (column === undefined && c.acceptWord('column')) column = parseFieldNameList(c);
    else if (c.acceptWord('as')) {
      const parenthesised = c.accept(TokenKind.LParen) !== undefined;
      do {
        if (c.accept(TokenKind.Star)) asStar = true;
        else asFields.push(parseFieldName(c));
      } while (c.accept(TokenKind.Comma));
      if (parenthesised) c.expect(TokenKind.RParen, '")"');
      expectStageEnd(c, 'transpose');
    } else
      c.failUnexpected(
        row === undefined ? '"row"' : column === undefined ? '"column"' : '"as" or end of stage',
      );
  }
  if (row === undefined) c.failUnexpected('"row"');
  if (column === undefined) c.failUnexpected('"column"');
  return { kind: 'Transpose', row, column, asFields, asStar, span: c.spanFrom(start) };
}

/** `fillmissing gen, gen … [with v for f…] [takeLast]`. */
export function parseFillMissingStage(c: Cursor, start: number): FillMissingStage {
  const generators: FillGenerator[] = [];
  do {
    generators.push(parseGenerator(c));
  } while (c.accept(TokenKind.Comma));
  let fill: FillMissingStage['fill'];
  let takeLast = false;
  while (!c.atEnd()) {
    if (c.acceptWord('with')) {
      const value = parseExpression(c);
      c.expectWord('for');
      fill = { value, fields: parseFieldNameList(c) };
    } else if (c.isWord('takelast')) {
      c.next();
      takeLast = true;
    } else c.failUnexpected('"with", takeLast or end of stage');
  }
  return { kind: 'FillMissing', generators, fill, takeLast, span: c.spanFrom(start) };
}

function parseGenerator(c: Cursor): FillGenerator {
  const start = c.peek().start;
  if (c.acceptWord('timeslice')) {
    let size;
    if (c.accept(TokenKind.LParen)) {
      size = parseDuration(c);
      c.expect(TokenKind.RParen, '")"');
    } else if (atDuration(c)) size = parseDuration(c);
    let field: FieldName | undefined;
    if (c.acceptWord('in')) field = parseFieldName(c);
    return { kind: 'TimesliceGenerator', size, field, span: c.spanFrom(start) };
  }
  if (c.acceptWord('values')) {
    const values: Expr[] = [];
    let all = false;
    if (c.acceptWord('all')) all = true;
    else {
      c.expect(TokenKind.LParen, '"(" or all after values');
      if (!c.is(TokenKind.RParen)) {
        do {
          values.push(parseExpression(c));
        } while (c.accept(TokenKind.Comma));
      }
      c.expect(TokenKind.RParen, '"," or ")"');
    }
    c.expectWord('in');
    const field = parseFieldName(c);
    return { kind: 'ValuesGenerator', values, all, field, span: c.spanFrom(start) };
  }
  return c.failUnexpected('timeslice or values');
}

const SERIES_KIND = {
  accum: 'Accum',
  total: 'Total',
  diff: 'Diff',
  backshift: 'Backshift',
  smooth: 'Smooth',
  rollingstd: 'RollingStd',
} as const;
export type SeriesOperator = keyof typeof SERIES_KIND;

export function isSeriesOperator(name: string): name is SeriesOperator {
  return Object.hasOwn(SERIES_KIND, name);
}

/** `accum|total|diff|backshift|smooth|rollingstd f[, n] [as a] [by g…]`, also `op(f[, n])`. */
export function parseSeriesStage(c: Cursor, start: number, operator: SeriesOperator): SeriesStage {
  const parenthesised = c.accept(TokenKind.LParen) !== undefined;
  const field = parseFieldName(c);
  let window: number | undefined;
  if (c.accept(TokenKind.Comma)) window = parseNumberValue(c, 'a window size', true);
  if (parenthesised) c.expect(TokenKind.RParen, '")"');
  let alias: FieldName | undefined;
  let by: FieldName[] = [];
  while (!c.atEnd()) {
    if (alias === undefined && c.acceptWord('as')) alias = parseFieldName(c);
    else if (by.length === 0 && c.acceptWord('by')) by = parseFieldNameList(c);
    else c.failUnexpected('"as", "by" or end of stage');
  }
  return { kind: SERIES_KIND[operator], field, window, alias, by, span: c.spanFrom(start) };
}

/** `compare [with] timeshift 1d [7] [avg|min|max] [as a][, timeshift …]`. */
export function parseCompareStage(c: Cursor, start: number): CompareStage {
  c.acceptWord('with');
  const shifts: TimeShift[] = [];
  do {
    const shiftStart = c.peek().start;
    c.expectWord('timeshift');
    const shift = parseDuration(c);
    let periods: number | undefined;
    if (c.is(TokenKind.Number) && parseDurationText(c.peek().text) === undefined)
      periods = parseNumberValue(c, 'a number of periods', true);
    else if (c.is(TokenKind.Parameter)) periods = parseNumberValue(c, 'a number of periods', true);
    let aggregate: TimeShift['aggregate'];
    for (const name of ['avg', 'min', 'max'] as const) if (c.acceptWord(name)) aggregate = name;
    let alias: FieldName | undefined;
    if (c.acceptWord('as')) alias = parseFieldName(c);
    shifts.push({ kind: 'TimeShift', shift, periods, aggregate, alias, span: c.spanFrom(shiftStart) });
  } while (c.accept(TokenKind.Comma));
  expectStageEnd(c, 'compare');
  return { kind: 'Compare', shifts, span: c.spanFrom(start) };
}

/** `name=value` options, separated by commas or spaces, until the end of the stage or `by`. */
function parseOptions(c: Cursor, stopAtBy: boolean): StageOption[] {
  const options: StageOption[] = [];
  while (!c.atEnd()) {
    if (c.accept(TokenKind.Comma)) continue;
    if (stopAtBy && c.isWord('by')) break;
    const nameToken = c.peek();
    if (nameToken.kind !== TokenKind.Word || !c.is(TokenKind.Equal, 1))
      c.failUnexpected('an option such as window=10');
    c.next();
    c.next();
    const valueStart = c.peek().start;
    let valueEnd = valueStart;
    // A value is the run of tokens up to a comma, whitespace gap, `by`, or the end (`+-`, `5m`, `ar`).
    while (!c.atEnd() && !c.is(TokenKind.Comma) && (valueEnd === valueStart || !c.peek().spaceBefore))
      valueEnd = c.next().end;
    if (valueEnd === valueStart) c.failUnexpected(`a value for ${nameToken.text}`);
    options.push({
      kind: 'Option',
      name: nameToken.text.toLowerCase(),
      value: c.ctx.text.slice(valueStart, valueEnd),
      span: c.spanFrom(nameToken.start),
    });
  }
  return options;
}

function numericOption(c: Cursor, option: StageOption, integer: boolean): number {
  if (/^\{\{.*\}\}$/.test(option.value)) {
    c.report(DIAGNOSTICS.ParameterInLiteral, option.span, { name: option.value.slice(2, -2).trim() });
    return Number.NaN;
  }
  if (option.value === '*') {
    c.report(DIAGNOSTICS.StarPlaceholder, option.span);
    return Number.NaN;
  }
  const value = parseNumberText(option.value);
  if (value === undefined || (integer && !Number.isInteger(value))) {
    c.fail(DIAGNOSTICS.InvalidOption, option.span, {
      option: option.name,
      reason: integer ? 'expected a whole number' : 'expected a number',
    });
  }
  return value;
}

/** `predict f [by 1m] [model=ar|linear] [, ar.window=n] [, forecast=n|dur]`. */
export function parsePredictStage(c: Cursor, start: number): PredictStage {
  const field = parseFieldName(c);
  let by;
  if (c.acceptWord('by')) by = parseDuration(c);
  const options = parseOptions(c, false);
  const stage: PredictStage = {
    kind: 'Predict',
    field,
    by,
    model: 'linear',
    arWindow: undefined,
    forecast: undefined,
    options,
    span: c.spanFrom(start),
  };
  for (const option of options) {
    if (option.name === 'model') {
      const model = option.value.toLowerCase();
      if (model !== 'ar' && model !== 'linear')
        c.fail(DIAGNOSTICS.InvalidOption, option.span, { option: 'model', reason: 'expected ar or linear' });
      stage.model = model;
    } else if (option.name === 'ar.window') stage.arWindow = numericOption(c, option, true);
    else if (option.name === 'forecast') {
      const ms = parseDurationText(option.value);
      if (ms !== undefined && !/^\d+$/.test(option.value)) {
        stage.forecast = { duration: { kind: 'Duration', text: option.value, ms, span: option.span } };
      } else stage.forecast = { points: numericOption(c, option, true) };
    }
  }
  return stage;
}

/** `outlier f [by g…] [window=…, threshold=…, consecutive=…, direction=…]`. */
export function parseOutlierStage(c: Cursor, start: number): OutlierStage {
  const field = parseFieldName(c);
  let by: FieldName[] = [];
  let options = parseOptions(c, true);
  if (c.acceptWord('by')) {
    by = parseFieldNameList(c);
    options = [...options, ...parseOptions(c, false)];
  }
  const stage: OutlierStage = {
    kind: 'Outlier',
    field,
    by,
    window: undefined,
    threshold: undefined,
    consecutive: undefined,
    direction: undefined,
    options,
    span: c.spanFrom(start),
  };
  for (const option of options) {
    if (option.name === 'window') stage.window = numericOption(c, option, true);
    else if (option.name === 'threshold') stage.threshold = numericOption(c, option, false);
    else if (option.name === 'consecutive') stage.consecutive = numericOption(c, option, true);
    else if (option.name === 'direction') {
      const v = option.value;
      if (v === '+-' || v === '+' || v === '-') stage.direction = v;
      else if (v === '-+') stage.direction = '+-';
      else if (/^\{\{.*\}\}$/.test(v))
        c.report(DIAGNOSTICS.ParameterInLiteral, option.span, { name: v.slice(2, -2).trim() });
      else if (v === '*') c.report(DIAGNOSTICS.StarPlaceholder, option.span);
      else
        c.fail(DIAGNOSTICS.InvalidOption, option.span, {
          option: 'direction',
          reason: 'expected +-, + or -',
        });
    } else
      c.fail(DIAGNOSTICS.InvalidOption, option.span, {
        option: option.name,
        reason: 'unknown outlier option',
      });
  }
  return stage;
}
