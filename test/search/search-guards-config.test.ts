/** The guard settings reach the engine from the server's configuration (QUARRY_QUERY_MAX_ROWS …). */
import { describe, expect, it } from 'vitest';
import { api, createSource, waitFor } from '../support/server.js';
import { useTestServer } from '../support/suite.js';

interface Status {
  state: string;
  pendingErrors: string[];
}

describe('search guards from the configuration', () => {
  const suite = useTestServer({ 'search.maxRowsToRead': 50 });

  it('ends a search reading more rows than search.maxRowsToRead with the guard error', async () => {
    const source = await createSource(suite.base, { name: 'guarded', multiline: false });
    const lines = Array.from({ length: 200 }, (_, i) => `2026-03-01T00:00:${String(i % 60).padStart(2, '0')}Z guarded line ${i}`);
    const sent = await fetch(source.url, { method: 'POST', body: lines.join('\n') });
    expect(sent.status).toBe(200);
    await waitFor(async () => (await suite.store.count('contains=guarded')) === 200, 15_000, 'the lines to be stored');

    const run = async (query: string): Promise<Status> => {
      const created = await api<{ id: string }>(suite.base, '/api/v1/search/jobs', {
        method: 'POST',
        body: { query, from: '2026-03-01T00:00:00Z', to: '2026-03-01T00:02:00Z', timeZone: 'UTC' },
      });
      expect(created.status).toBe(202);
      let status: Status | undefined;
      await waitFor(async () => {
        status = (await api<Status>(suite.base, `/api/v1/search/jobs/${created.body.id}`)).body;
        return !['NOT STARTED', 'GATHERING RESULTS'].includes(status.state);
      }, 15_000, 'the search to finish');
      return status!;
    };
    const tooBig = await run('guarded | count by _sourceHost');
    expect(tooBig.pendingErrors.join(' ')).toMatch(/more rows than allowed/);
  });
});
