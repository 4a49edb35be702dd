import type { Writable } from 'node:stream';

export const OutputFormat = { Table: 'table', Json: 'json', Ndjson: 'ndjson', Csv: 'csv' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

export type Cell = string | number | boolean | null | undefined;

function text(value: Cell): string {
  return value === null || value === undefined ? '' : String(value);
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Renders rows in one of the CLI's output formats; keys and column order follow `fields`. */
export function renderRows(rows: readonly Record<string, Cell>[], fields: readonly string[], format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(rows.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? null]))), null, 2)}\n`;
    case 'ndjson':
      return rows.map((r) => `${JSON.stringify(Object.fromEntries(fields.map((f) => [f, r[f] ?? null])))}\n`).join('');
    case 'csv':
      return [fields.map(csvCell).join(','), ...rows.map((r) => fields.map((f) => csvCell(text(r[f]))).join(','))].join('\n') + '\n';
    case 'table': {
      const cells = rows.map((r) => fields.map((f) => text(r[f]).replace(/\n/g, '\\n')));
      const widths = fields.map((f, i) => Math.max(f.length, ...cells.map((c) => (c[i] ?? '').length)));
      const line = (values: readonly string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
      return [line(fields), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n') + '\n';
    }
  }
}

/** Parses --format; a bad value is a user error naming the choices. */
export function parseFormat(value: string): OutputFormat {
  if ((Object.values(OutputFormat) as string[]).includes(value)) return value as OutputFormat;
  throw new Error(`--format must be one of ${Object.values(OutputFormat).join(', ')}`);
}

/** Writes and waits for the stream to accept it (so piping into `head` works). */
export function writeOut(out: Writable, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(data)) resolve();
    else out.once('drain', resolve);
  });
}
