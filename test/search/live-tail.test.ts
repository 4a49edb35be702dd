import { describe, expect, it } from 'vitest';
import { adminAuth, api, createSource, startTestServer } from '../support/server.js';

interface TailEvent {
  event: string;
  data: { messages?: { _raw: string; _sourceCategory: string; level?: string }[] };
}

/** Reads server-sent events until `enough` says stop (or the deadline passes). */
async function readEvents(response: Response, enough: (events: TailEvent[]) => boolean, timeoutMs = 10_000): Promise<TailEvent[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: TailEvent[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  while (!enough(events) && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
    if (!chunk || chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) as TailEvent['data'] });
    }
  }
  await reader.cancel();
  return events;
}

describe('live tail', () => {
  it('streams new matching messages within 2 s, through per-message operators', async () => {
    const server = await startTestServer();
    try {
      const { url } = await createSource(server.url, { name: 'tail', category: 'tail/test', multiline: false });
      expect((await fetch(url, { method: 'POST', body: 'ERROR before the tail started' })).status).toBe(200);
      const response = await fetch(
        `${server.url}/api/v1/livetail?query=${encodeURIComponent('_sourceCategory=tail/test error | parse "level=*;" as level')}`,
        { headers: { authorization: adminAuth } },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      const sentAt = Date.now();
      const posting = (async () => {
        await new Promise((r) => setTimeout(r, 300));
        expect((await fetch(url, { method: 'POST', body: 'level=error; disk full\nlevel=info; all good\nERROR without level' })).status).toBe(200);
      })();
      const events = await readEvents(response, (e) => e.some((x) => x.event === 'messages'));
      await posting;
      const messages = events.filter((e) => e.event === 'messages').flatMap((e) => e.data.messages ?? []);
      expect(Date.now() - sentAt).toBeLessThan(2_500);
      expect(messages.map((m) => m._raw)).toEqual(['level=error; disk full']);
      expect(messages[0]).toMatchObject({ level: 'error', _sourceCategory: 'tail/test' });
      expect(events[0]!.event).toBe('ready');
    } finally {
      await server.close();
    }
  });

  it('refuses aggregates and invalid queries, and ends open tails on shutdown', async () => {
    const server = await startTestServer();
    const aggregate = await api<{ message: string }>(server.url, `/api/v1/livetail?query=${encodeURIComponent('* | count')}`);
    expect(aggregate.status).toBe(400);
    expect(aggregate.body.message).toMatch(/no aggregates/);
    expect((await api(server.url, `/api/v1/livetail?query=${encodeURIComponent('* | pars "x" as y')}`)).status).toBe(400);
    const open = await fetch(`${server.url}/api/v1/livetail?query=x`, { headers: { authorization: adminAuth } });
    expect(open.status).toBe(200);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
