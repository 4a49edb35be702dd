import type { SearchField } from '../../../../../src/protocol/search.js';

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RFC 4180 CSV: a header of the field names, one line per row. */
export function toCsv(fields: readonly SearchField[], rows: readonly Record<string, string>[]): string {
  const names = fields.map((f) => f.name);
  const lines = [names.map(csvCell).join(',')];
  for (const row of rows) lines.push(names.map((n) => csvCell(row[n] ?? '')).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
