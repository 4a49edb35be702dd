/**
 * One scheduler for all the work a store does, in a fixed number of lanes (chDB: one — it runs one
 * statement at a time per process; a ClickHouse server: several).
 *
 * Without it every caller issued its statement at once: they queued inside the engine in no useful
 * order, each holding a libuv thread while it waited (so ten waiting searches also stalled zlib and
 * file writes), an ingest acknowledgement waited behind a whole heavy search, and a small search
 * behind ten heavy ones (20.75 s measured). Here:
 *
 * - **Appends and short control work** (health checks, statistics) go first: an append waits at
 *   most for the statement in flight, which is one time-bounded slice of a search.
 * - **Searches never starve**: while searches wait, at most one priority task runs between two
 *   search statements.
 * - **Searches share fairly**: the next search statement is the one whose owner (user) has had the
 *   least engine time, and within that owner the one whose job has had the least — so one user's
 *   ten searches share what another user's one gets, and a new search (which starts just below the
 *   least-served search of its owner, and an owner new to the queue level with the least-served
 *   owner) runs ahead of long heavy ones instead of waiting for them. Accounts not used for a while
 *   are forgotten.
 * - **Cancel drops queued work**: a statement whose signal aborted while queued never runs.
 */

export const WorkKind = {
  /** An ingest append (someone is waiting for an acknowledgement). */
  Append: 'append',
  /** Short work: health checks, statistics, metadata reads. */
  Control: 'control',
  /** A statement of a search, scheduled fairly among searches. */
  Search: 'search',
} as const;
export type WorkKind = (typeof WorkKind)[keyof typeof WorkKind];

/** Who a search statement is for. */
export interface SearchWork {
  /** the user (fairness between users) */
  owner: string;
  /** the search job (fairness between one user's searches) */
  job: string;
}

export interface WorkTag {
  kind: WorkKind;
  search?: SearchWork | undefined;
  /** Queued work whose signal aborts is dropped without running. */
  signal?: AbortSignal | undefined;
}

interface Task {
  tag: WorkTag;
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  enqueuedAt: number;
  onAbort?: () => void;
}

/** Thrown to the caller of work whose signal aborted before it ran. */
export class WorkCancelledError extends Error {
  constructor() {
    super('the work was cancelled before it ran');
    this.name = 'WorkCancelledError';
  }
}

export interface SchedulerStats {
  /** statements run, by kind */
  ran: Record<WorkKind, number>;
  /** longest an append waited for its lane (ms) */
  maxAppendWaitMs: number;
  /** queued now */
  queued: number;
}

/** Engine time of an owner or a job; forgotten once unused for ACCOUNT_TTL_MS. */
interface Account {
  served: number;
  seenAt: number;
  owner: string;
}

const ACCOUNT_TTL_MS = 60_000;

export class WorkScheduler {
  private readonly priority: Task[] = [];
  private readonly searches: Task[] = [];
  private running = 0;
  /** Priority tasks run since the last search statement (while searches waited). */
  private priorityStreak = 0;
  private readonly owners = new Map<string, Account>();
  private readonly jobs = new Map<string, Account>();
  private readonly counters: SchedulerStats = { ran: { append: 0, control: 0, search: 0 }, maxAppendWaitMs: 0, queued: 0 };

  constructor(private readonly lanes = 1) {}

  /** Runs `work` when a lane is free and its turn has come; resolves or rejects with it. */
  run<T>(tag: WorkTag, work: () => Promise<T>): Promise<T> {
    if (tag.signal?.aborted) return Promise.reject(new WorkCancelledError());
    return new Promise<T>((resolve, reject) => {
      const task: Task = { tag, run: work, resolve: resolve as (v: unknown) => void, reject, enqueuedAt: performance.now() };
      if (tag.signal) {
        task.onAbort = () => this.drop(task);
        tag.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      if (tag.kind === WorkKind.Search) {
        if (tag.search) this.accounts(tag.search);
        this.searches.push(task);
      } else {
        this.priority.push(task);
      }
      this.pump();
    });
  }

  stats(): SchedulerStats {
    return { ...this.counters, ran: { ...this.counters.ran }, queued: this.priority.length + this.searches.length };
  }

  private drop(task: Task): void {
    const list = task.tag.kind === WorkKind.Search ? this.searches : this.priority;
    const at = list.indexOf(task);
    if (at < 0) return;
    list.splice(at, 1);
    task.reject(new WorkCancelledError());
  }

  /** The owner's and the job's accounts, opened as the module comment says when new. */
  private accounts(search: SearchWork): { owner: Account; job: Account } {
    const now = performance.now();
    let owner = this.owners.get(search.owner);
    if (owner === undefined) {
      let least = Infinity;
      for (const other of this.owners.values()) least = Math.min(least, other.served);
      owner = { served: Number.isFinite(least) ? least : 0, seenAt: now, owner: search.owner };
      this.owners.set(search.owner, owner);
    }
    let job = this.jobs.get(search.job);
    if (job === undefined) {
      let least = Infinity;
      for (const other of this.jobs.values()) if (other.owner === search.owner) least = Math.min(least, other.served);
      job = { served: Number.isFinite(least) ? least - 1 : 0, seenAt: now, owner: search.owner };
      this.jobs.set(search.job, job);
    }
    owner.seenAt = now;
    job.seenAt = now;
    return { owner, job };
  }

  private forgetIdle(): void {
    const before = performance.now() - ACCOUNT_TTL_MS;
    for (const map of [this.owners, this.jobs]) for (const [key, account] of map) if (account.seenAt < before) map.delete(key);
  }

  private pickSearch(): Task | undefined {
    this.forgetIdle();
    let best: Task | undefined;
    let bestOwner = Infinity;
    let bestJob = Infinity;
    for (const task of this.searches) {
      const search = task.tag.search;
      let owner = 0;
      let job = 0;
      if (search !== undefined) {
        const accounts = this.accounts(search);
        owner = accounts.owner.served;
        job = accounts.job.served;
      }
      if (owner < bestOwner || (owner === bestOwner && job < bestJob)) {
        best = task;
        bestOwner = owner;
        bestJob = job;
      }
    }
    if (best !== undefined) this.searches.splice(this.searches.indexOf(best), 1);
    return best;
  }

  private next(): Task | undefined {
    const searchTurn = this.searches.length > 0 && (this.priority.length === 0 || this.priorityStreak >= 1);
    if (!searchTurn && this.priority.length > 0) {
      if (this.searches.length > 0) this.priorityStreak++;
      return this.priority.shift();
    }
    this.priorityStreak = 0;
    return this.pickSearch();
  }

  private pump(): void {
    while (this.running < this.lanes) {
      const task = this.next();
      if (task === undefined) return;
      if (task.onAbort) task.tag.signal?.removeEventListener('abort', task.onAbort);
      this.running++;
      const started = performance.now();
      if (task.tag.kind === WorkKind.Append) this.counters.maxAppendWaitMs = Math.max(this.counters.maxAppendWaitMs, started - task.enqueuedAt);
      this.counters.ran[task.tag.kind]++;
      void task
        .run()
        .then(task.resolve, task.reject)
        .finally(() => {
          this.running--;
          const search = task.tag.search;
          if (task.tag.kind === WorkKind.Search && search !== undefined) {
            const spent = performance.now() - started;
            const { owner, job } = this.accounts(search);
            owner.served += spent;
            job.served += spent;
          }
          this.pump();
        });
    }
  }
}
