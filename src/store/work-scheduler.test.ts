import { describe, expect, it } from 'vitest';
import { WorkCancelledError, WorkKind, WorkScheduler } from './work-scheduler.js';

/** Work that takes `ms` and records its name when it starts. */
function work(log: string[], name: string, ms: number): () => Promise<string> {
  return async () => {
    log.push(name);
    await new Promise((r) => setTimeout(r, ms));
    return name;
  };
}

describe('WorkScheduler', () => {
  it('runs one thing at a time per lane, appends before queued search statements', async () => {
    const s = new WorkScheduler(1);
    const log: string[] = [];
    const search = (name: string) => s.run({ kind: WorkKind.Search, search: { owner: 'u', job: name } }, work(log, name, 20));
    const all = [search('s1'), search('s2'), s.run({ kind: WorkKind.Append }, work(log, 'a1', 5))];
    await Promise.all(all);
    expect(log).toEqual(['s1', 'a1', 's2']);
  });

  it('never starves searches: one search statement between priority tasks while searches wait', async () => {
    const s = new WorkScheduler(1);
    const log: string[] = [];
    const tasks = [s.run({ kind: WorkKind.Append }, work(log, 'a0', 5))];
    tasks.push(s.run({ kind: WorkKind.Search, search: { owner: 'u', job: 'j' } }, work(log, 's1', 5)));
    tasks.push(s.run({ kind: WorkKind.Search, search: { owner: 'u', job: 'j' } }, work(log, 's2', 5)));
    for (let i = 1; i <= 3; i++) tasks.push(s.run({ kind: WorkKind.Append }, work(log, `a${i}`, 5)));
    await Promise.all(tasks);
    expect(log).toEqual(['a0', 'a1', 's1', 'a2', 's2', 'a3']);
  });

  it('shares between owners and puts a new small search ahead of long heavy ones', async () => {
    const s = new WorkScheduler(1);
    const log: string[] = [];
    // A heavy job of each of two users, statement after statement.
    const heavy = async (owner: string, job: string, n: number) => {
      for (let i = 0; i < n; i++) await s.run({ kind: WorkKind.Search, search: { owner, job } }, work(log, job, 10));
    };
    const a = heavy('alice', 'A', 6);
    const b1 = heavy('bob', 'B1', 6);
    const b2 = heavy('bob', 'B2', 6);
    while (log.length < 5) await new Promise((r) => setTimeout(r, 1));
    const arrivedAt = log.length;
    const small = s.run({ kind: WorkKind.Search, search: { owner: 'bob', job: 'small' } }, work(log, 'small', 1));
    await Promise.all([a, b1, b2, small]);
    // Alice's one job gets about as many turns as Bob's two together.
    const firstTwelve = log.slice(0, 12);
    expect(firstTwelve.filter((n) => n === 'A').length).toBeGreaterThanOrEqual(5);
    // The small search waited at most for the statement in flight and one of the other owner's.
    expect(log.indexOf('small')).toBeLessThanOrEqual(arrivedAt + 1);
  });

  it('drops queued work whose signal aborted, without running it', async () => {
    const s = new WorkScheduler(1);
    const log: string[] = [];
    const abort = new AbortController();
    const first = s.run({ kind: WorkKind.Search, search: { owner: 'u', job: 'x' } }, work(log, 'first', 20));
    const second = s.run({ kind: WorkKind.Search, search: { owner: 'u', job: 'x' }, signal: abort.signal }, work(log, 'second', 20));
    abort.abort();
    await expect(second).rejects.toBeInstanceOf(WorkCancelledError);
    await first;
    expect(log).toEqual(['first']);
    await expect(s.run({ kind: WorkKind.Control, signal: abort.signal }, work(log, 'late', 1))).rejects.toBeInstanceOf(WorkCancelledError);
  });
});
