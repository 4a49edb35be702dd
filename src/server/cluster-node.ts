/**
 * This process as a node of a deployment (DESIGN.md §8): it announces itself in the MetaStore
 * (id, URL, assemblies) and renews that every heartbeat, so query nodes can route a search job's
 * requests to the node that runs it; with the alerting assembly it also competes for the
 * scheduler's lease, so exactly one node of the deployment schedules at a time and another takes
 * over within a lease's time when it dies.
 */
import { randomBytes } from 'node:crypto';
import type { Assembly } from '../config/schema.js';
import type { Logger } from '../core/logger.js';
import { SCHEDULER_LEASE, type MetaStore, type NodeRecord } from '../meta/meta-store.js';

export interface ClusterNodeOptions {
  assemblies: readonly Assembly[];
  logger: Logger;
  /** How often the node renews its record and lease (default 5 s). */
  heartbeatMs?: number;
  /** How long a lease holds without renewal (default 3 heartbeats). */
  leaseTtlMs?: number;
  now?: () => number;
}

/** A node id: short, URL-safe, new for every process (search job ids start with it). */
export function newNodeId(): string {
  return `n${randomBytes(5).toString('hex')}`;
}

export class ClusterNode {
  readonly id = newNodeId();
  private readonly startedAt: number;
  private readonly heartbeatMs: number;
  private readonly leaseTtlMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private scheduler = false;
  private lastBeatOk = false;
  private lastError: string | undefined;
  private url = '';

  constructor(
    private readonly meta: MetaStore,
    private readonly options: ClusterNodeOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.leaseTtlMs = options.leaseTtlMs ?? 3 * this.heartbeatMs;
  }

  /**
   * Announces the node at `url` (the base URL other nodes reach it on) and takes the scheduler's
   * lease when free; then renews both every heartbeat.
   */
  async start(url: string): Promise<void> {
    this.url = url;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** True while this node holds the scheduler's lease. */
  get isScheduler(): boolean {
    return this.scheduler;
  }

  /** Whether the last heartbeat reached the MetaStore (and why not). */
  health(): { ok: boolean; error?: string } {
    return this.lastBeatOk ? { ok: true } : { ok: false, ...(this.lastError === undefined ? {} : { error: this.lastError }) };
  }

  /** The base URL of a live node of the deployment, by id (undefined when unknown or silent). */
  async urlOf(id: string): Promise<string | undefined> {
    if (id === this.id) return this.url;
    const node = await this.meta.nodes.findById(id);
    // Silent for three heartbeats: gone (its jobs went with it).
    if (node === undefined || node.seenAt < this.now() - 3 * this.heartbeatMs) return undefined;
    return node.url;
  }

  private beat(): Promise<void> {
    this.beating ??= (async () => {
      const record: NodeRecord = { id: this.id, url: this.url, assemblies: [...this.options.assemblies], startedAt: this.startedAt, seenAt: this.now() };
      try {
        await this.meta.nodes.upsert(record);
        if (this.options.assemblies.includes('alerting')) {
          const held = await this.meta.leases.acquire(SCHEDULER_LEASE, this.id, this.now(), this.leaseTtlMs);
          if (held !== this.scheduler) this.options.logger.info({ node: this.id }, held ? 'this node is now the scheduler' : 'this node is no longer the scheduler');
          this.scheduler = held;
        }
        this.lastBeatOk = true;
        this.lastError = undefined;
      } catch (error) {
        // The MetaStore is unreachable: not the scheduler until it answers again (another node may be).
        if (this.scheduler) this.options.logger.warn({ node: this.id }, 'lost the metadata database: no longer the scheduler');
        this.scheduler = false;
        this.lastBeatOk = false;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.logger.warn({ node: this.id, err: this.lastError }, 'heartbeat to the metadata database failed');
      }
    })().finally(() => (this.beating = undefined));
    return this.beating;
  }

  /** Stops renewing, gives the lease up and leaves the deployment's list. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    try {
      if (this.scheduler) await this.meta.leases.release(SCHEDULER_LEASE, this.id);
      await this.meta.nodes.remove(this.id);
    } catch {
      // The MetaStore is gone: the lease runs out and the record goes silent by itself.
    }
    this.scheduler = false;
  }
}
