import type { SearchField } from '../../../../../src/protocol/search.js';

/** A message as the API lists it: every value a string. */
type Message = Readonly<Record<string, string>>;

/** Fields that hold one value per message and would only crowd the list. */
const SKIPPED = new Set(['_raw', '_messageid', '_messagetime', '_receipttime', '_size', '_format', '_blockid', '_messagecount']);
const TOP = 5;

export interface FieldStats {
  name: string;
  /** how many of the loaded messages have a value */
  count: number;
  top: { value: string; count: number }[];
}

/**
 * Fields of the loaded messages with how many messages have each and their most common values;
 * the job's fields that no loaded message has a value for are listed too, with 0.
 */
export function fieldStats(messages: readonly Message[], fields: readonly SearchField[] = []): FieldStats[] {
  const byField = new Map<string, Map<string, number>>();
  for (const field of fields) if (!SKIPPED.has(field.name)) byField.set(field.name, new Map());
  for (const message of messages) {
    for (const [name, value] of Object.entries(message)) {
      if (SKIPPED.has(name) || value === '') continue;
      let values = byField.get(name);
      if (!values) byField.set(name, (values = new Map<string, number>()));
      values.set(value, (values.get(value) ?? 0) + 1);
    }
  }
  return [...byField]
    .map(([name, values]) => ({
      name,
      count: [...values.values()].reduce((s, n) => s + n, 0),
      top: [...values].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP).map(([value, count]) => ({ value, count })),
    }))
    .sort((a, b) => Number(a.name.startsWith('_')) - Number(b.name.startsWith('_')) || a.name.localeCompare(b.name));
}

/** What the counts are counted over: the loaded messages, said plainly when they are not all of them. */
export function countedOver(loaded: number, total: number): string {
  if (loaded >= total) return total === 1 ? 'in the 1 message' : `in all ${total.toLocaleString()} messages`;
  return `counted in ${loaded.toLocaleString()} of ${total.toLocaleString()} messages (those loaded)`;
}
