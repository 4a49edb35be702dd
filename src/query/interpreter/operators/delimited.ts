/**
 * Splits one line for `csv` and `split`: a delimiter, a quote character that protects
 * delimiters (a doubled quote inside quotes is a literal quote), and an escape character that
 * makes the next character literal. Defaults: `,`, `"`, `\`.
 */
export interface DelimitedOptions {
  delimiter: string;
  quote: string;
  escape: string;
}

/** Splits a line into cells. */
export function splitDelimited(line: string, opts: DelimitedOptions): string[] {
  const cells: string[] = [];
  let cur = '';
  let inQuotes = false;
  const { delimiter, quote, escape } = opts;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (escape !== '' && c === escape && i + 1 < line.length && escape !== quote) {
      cur += line[i + 1];
      i++;
    } else if (quote !== '' && c === quote) {
      if (inQuotes && line[i + 1] === quote) {
        cur += quote;
        i++;
      } else inQuotes = !inQuotes;
    } else if (!inQuotes && line.startsWith(delimiter, i)) {
      cells.push(cur);
      cur = '';
      i += delimiter.length - 1;
    } else cur += c;
  }
  cells.push(cur);
  return cells;
}
