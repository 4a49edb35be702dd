import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('installProcessGuard', () => {
  it('keeps the process running through unhandled rejections, logging and counting them', () => {
    // In a child process: vitest reports unhandled rejections of its own workers as failures.
    const script = `
      import { installProcessGuard } from ${JSON.stringify(resolve(import.meta.dirname, 'process-guards.ts'))};
      const logged = [];
      const logger = { error: (o, m) => logged.push([o.unhandledRejections, m, String(o.err)]), warn() {}, info() {}, debug() {}, child() { return logger; } };
      const guard = installProcessGuard(logger);
      Promise.reject(new Error('first'));
      Promise.reject(new Error('second'));
      setTimeout(() => { console.log(JSON.stringify({ count: guard.unhandledRejections(), logged })); }, 50);
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const result = JSON.parse(out) as { count: number; logged: [number, string, string][] };
    expect(result.count).toBe(2);
    expect(result.logged).toEqual([
      [1, 'unhandled promise rejection (kept running)', 'Error: first'],
      [2, 'unhandled promise rejection (kept running)', 'Error: second'],
    ]);
  });
});
