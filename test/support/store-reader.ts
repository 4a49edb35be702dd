import { api } from './server.js';

/** A stored message as `GET /api/v1/logs/tail` returns it (metadata plus fields at top level). */
export interface TailMessage {
  _raw: string;
  _messageTime: string;
  _receiptTime: string;
  _sourceCategory: string;
  _sourceHost: string;
  _sourceName: string;
  _source: string;
  _collector: string;
  _size: number;
  _format: string;
  [field: string]: unknown;
}

export type StoreReader = ReturnType<typeof storeReader>;

/** Helpers bound to one server: counts and the newest stored messages. */
export function storeReader(base: string) {
  return {
    count: async (query: string): Promise<number> => (await api<{ count: number }>(base, `/api/v1/logs/count?${query}`)).body.count,
    /** The newest `limit` messages, oldest receipt first then by text, so order is stable. */
    tail: async (limit: number): Promise<TailMessage[]> =>
      (await api<{ messages: TailMessage[] }>(base, `/api/v1/logs/tail?limit=${limit}`)).body.messages,
    /** All stored messages whose `_source` is `source` among the newest `limit`. */
    ofSource: async (source: string, limit = 1000): Promise<TailMessage[]> =>
      (await api<{ messages: TailMessage[] }>(base, `/api/v1/logs/tail?limit=${limit}`)).body.messages.filter((m) => m._source === source),
  };
}
