import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/start-server.js';
import { createSource, repoRoot, startTestServer } from '../support/server.js';

/** The README's first example, sent as a newcomer would: it must store what the README says. */
describe("the README's first log", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('stores two messages from the two lines of the first curl example (default multiline setting)', async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const example = /^curl -X POST "\$URL" --data-binary \$'(.*)'$/m.exec(readme);
    expect(example, 'the first example in README.md').not.toBeNull();
    // Bash's $'…' quoting: \n is a newline.
    const body = example![1]!.replace(/\\n/g, '\n');
    const promised = /# → \{"messages":(\d+)/.exec(readme.slice(example!.index));
    expect(promised, 'the README says what the example stores').not.toBeNull();
    // A source as the first start makes it: the defaults, multiline inference on.
    const { url } = await createSource(server.url, { name: 'first' });
    const response = await fetch(url, { method: 'POST', body });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { messages: number }).messages).toBe(Number(promised![1]));
    expect(Number(promised![1])).toBe(body.split('\n').length);
  });
});
