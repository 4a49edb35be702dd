/**
 * The MetaStore port: users, access keys, HTTP sources and settings. Adapters: sqlite (embedded) and
 * postgres (scale-out, nodes sharing one database); both must pass test/conformance/meta-store.case.ts.
 */

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  createdAt: number;
}

export interface AccessKeyRecord {
  id: string;
  /** Public half of the key; shown in lists. */
  accessId: string;
  /** SHA-256 of the secret half (the secret is 256 random bits, so a slow hash adds nothing). */
  secretHash: string;
  userId: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export const MultilineMode = { Line: 'line', Infer: 'infer', Regex: 'regex' } as const;
export type MultilineMode = (typeof MultilineMode)[keyof typeof MultilineMode];

export interface MultilineSetting {
  mode: MultilineMode;
  /** The boundary regex (source text) when mode is `regex`. */
  boundary?: string;
}

export const ProcessingRuleKind = { Include: 'include', Exclude: 'exclude', Mask: 'mask', Hash: 'hash' } as const;
export type ProcessingRuleKind = (typeof ProcessingRuleKind)[keyof typeof ProcessingRuleKind];

/** One processing rule of a source (src/ingest/processing-rules.ts validates and applies them). */
export interface ProcessingRule {
  name: string;
  kind: ProcessingRuleKind;
  /** JavaScript RegExp source, matched anywhere in the message. */
  regex: string;
  /** Mask rules: the replacement text. */
  mask?: string;
}

export interface SourceRecord {
  id: string;
  name: string;
  /** SHA-256 of the ingest token; the token itself is shown once, at creation or rotation. */
  tokenHash: string;
  category: string | null;
  host: string | null;
  multiline: MultilineSetting;
  timestampFormat: string | null;
  /** Regex whose first capture group holds the message's time, anywhere in it (Sumo's timestamp locator). */
  timestampLocator: string | null;
  /** Processing rules, applied in order before storage. */
  rules: ProcessingRule[];
  /** Messages the source's filters dropped so far (not stored, not counted as ingested bytes). */
  excludedLines: number;
  createdAt: number;
}

/** A new source; `rules` defaults to none, `excludedLines` starts at 0. */
export type NewSource = Omit<SourceRecord, 'createdAt' | 'excludedLines' | 'rules'> & { rules?: ProcessingRule[] };

export interface UserRepository {
  create(user: UserRecord): Promise<void>;
  findByUsername(username: string): Promise<UserRecord | undefined>;
  findById(id: string): Promise<UserRecord | undefined>;
  updatePassword(id: string, passwordHash: string): Promise<void>;
  /** Every user, by username (recovery tools name them when a username is wrong). */
  list(): Promise<UserRecord[]>;
  count(): Promise<number>;
}

export interface AccessKeyRepository {
  create(key: AccessKeyRecord): Promise<void>;
  findByAccessId(accessId: string): Promise<AccessKeyRecord | undefined>;
  list(userId?: string): Promise<AccessKeyRecord[]>;
  /** Deletes the key; false when no key had that id. */
  revoke(id: string): Promise<boolean>;
  touch(id: string, at: number): Promise<void>;
}

export interface SourceRepository {
  create(source: NewSource, createdAt: number): Promise<SourceRecord>;
  list(): Promise<SourceRecord[]>;
  findById(id: string): Promise<SourceRecord | undefined>;
  findByName(name: string): Promise<SourceRecord | undefined>;
  findByTokenHash(tokenHash: string): Promise<SourceRecord | undefined>;
  updateTokenHash(id: string, tokenHash: string): Promise<boolean>;
  /** Replaces the source's processing rules; false when no source had that id. */
  updateRules(id: string, rules: ProcessingRule[]): Promise<boolean>;
  /** Replaces the source's timestamp format and locator; false when no source had that id. */
  updateTimestamp(id: string, timestamp: { format: string | null; locator: string | null }): Promise<boolean>;
  /** Adds to the excluded-lines counter of each source id given (unknown ids are ignored). */
  addExcludedLines(counts: ReadonlyMap<string, number>): Promise<void>;
  delete(id: string): Promise<boolean>;
}

/** A browser session. `expiresAt` is the absolute limit; idle expiry is `lastSeenAt` + the idle timeout. */
export interface SessionRecord {
  /** SHA-256 (hex) of the session token; the token itself lives only in the cookie. */
  id: string;
  userId: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface SessionRepository {
  create(session: SessionRecord): Promise<void>;
  findById(id: string): Promise<SessionRecord | undefined>;
  touch(id: string, lastSeenAt: number): Promise<void>;
  /** Deletes the session; false when none had that id. */
  delete(id: string): Promise<boolean>;
  /** Deletes every session of a user except `keepId`; returns how many were deleted. */
  deleteForUser(userId: string, keepId?: string): Promise<number>;
  /** Deletes sessions past their absolute limit or idle since before `idleBefore`. */
  deleteExpired(now: number, idleBefore: number): Promise<number>;
}

/**
 * Named leases: at most one holder at a time, until its lease runs out. What must run on exactly
 * one node of a deployment (the alerting scheduler) holds one, renewing it well before it expires;
 * a node that dies stops renewing and another takes the lease over once it ran out.
 */
/** The lease of the one scheduler of a deployment (server/cluster-node.ts takes it). */
export const SCHEDULER_LEASE = 'scheduler';

export interface LeaseRepository {
  /**
   * Takes or renews the lease for `ttlMs` from `now`: true when `holder` holds it afterwards (it
   * was free, expired, or already `holder`'s). Atomic: of concurrent callers at most one wins.
   */
  acquire(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` holds it (no-op otherwise). */
  release(name: string, holder: string): Promise<void>;
  /** Who holds the lease at `now`, if anyone. */
  holder(name: string, now: number): Promise<string | undefined>;
}

/** A running Quarry process of a deployment, as it announces itself. */
export interface NodeRecord {
  /** Stable for the life of the process (job ids carry it). */
  id: string;
  /** Base URL other nodes reach it on. */
  url: string;
  /** Assemblies it runs (receiver, query, alerting, ui). */
  assemblies: string[];
  startedAt: number;
  /** Last heartbeat. */
  seenAt: number;
}

export interface NodeRepository {
  /** Announces a node or renews its heartbeat. */
  upsert(node: NodeRecord): Promise<void>;
  findById(id: string): Promise<NodeRecord | undefined>;
  /** Nodes heard from at or after `seenSince`, by id. */
  list(seenSince: number): Promise<NodeRecord[]>;
  remove(id: string): Promise<void>;
}

export interface MetaStore {
  /** Applies pending migrations; safe to call on every start. */
  migrate(): Promise<void>;
  readonly users: UserRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly sources: SourceRepository;
  readonly sessions: SessionRepository;
  readonly leases: LeaseRepository;
  readonly nodes: NodeRepository;
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  /**
   * Stores `value` unless the key has one; returns the key's value afterwards. Of nodes setting
   * it at once, all get the first one stored (a key generated on first start stays one key).
   */
  setSettingIfAbsent(key: string, value: string): Promise<string>;
  close(): Promise<void>;
}
