import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { componentLogger } from './component-logger.js';

describe('componentLogger', () => {
  it('writes each binding once, the child replacing its parent value (no duplicate JSON keys)', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8').trim());
        done();
      },
    });
    const root = pino({ base: {} }, sink);
    const server = componentLogger(root, { component: 'server' });
    server.child({ component: 'http' }).child({ reqId: 'r1' }).info({ path: '/x' }, 'hello');
    server.info({}, 'from the server');
    expect(lines).toHaveLength(2);
    const [http, own] = lines as [string, string];
    expect(http.match(/"component"/g)).toHaveLength(1);
    expect(JSON.parse(http)).toMatchObject({ component: 'http', reqId: 'r1', path: '/x', msg: 'hello' });
    expect(JSON.parse(own)).toMatchObject({ component: 'server', msg: 'from the server' });
  });
});
