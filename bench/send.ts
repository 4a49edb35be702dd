/**
 * The HTTP senders the benches share: `clients` concurrent loops POST the bodies in order, each
 * retrying a body the server refuses for now (429 or 503, after its Retry-After) until it is taken.
 */

export interface SendOptions<B> {
  clients: number;
  /** The request body and headers of one item. */
  request: (item: B) => { body: Buffer; headers: Record<string, string> };
  /** Told after each item the server took (for progress). */
  onSent?: (item: B) => void;
}

/** Sends every item; resolves with the wall time and the number of refused attempts. */
export async function sendAll<B>(
  url: string,
  items: readonly B[],
  options: SendOptions<B>,
): Promise<{ seconds: number; retries: number }> {
  let next = 0;
  let retries = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      for (let i = next++; i < items.length; i = next++) {
        const item = items[i]!;
        const { body, headers } = options.request(item);
        for (;;) {
          const response = await fetch(url, { method: 'POST', body, headers });
          await response.arrayBuffer();
          if (response.status === 200) break;
          if (response.status !== 429 && response.status !== 503)
            throw new Error(`ingest answered ${response.status}`);
          retries++;
          await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after') ?? 1) * 1000));
        }
        options.onSent?.(item);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, retries };
}
