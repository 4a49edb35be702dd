import type { Generated } from 'kysely';

/** Row types of the metadata database as Kysely sees them (shared by every SQL adapter). */
export interface MetaDatabase {
  users: { id: string; username: string; password_hash: string; created_at: number };
  access_keys: {
    id: string;
    access_id: string;
    secret_hash: string;
    user_id: string;
    label: string;
    created_at: number;
    last_used_at: number | null;
  };
  sources: {
    id: string;
    name: string;
    token_hash: string;
    category: string | null;
    host: string | null;
    multiline: string;
    timestamp_format: string | null;
    /** Regex whose first group is the timestamp (migration 0004). */
    timestamp_locator: string | null;
    created_at: number;
    /** JSON array of processing rules (migration 0003). */
    rules: Generated<string>;
    excluded_lines: Generated<number>;
  };
  settings: { key: string; value: string };
  sessions: { id: string; user_id: string; created_at: number; last_seen_at: number; expires_at: number };
  /** Named leases (migration 0005). */
  leases: { name: string; holder: string; expires_at: number };
  /** Nodes of a deployment (migration 0005); `assemblies` is comma-separated. */
  nodes: { id: string; url: string; assemblies: string; started_at: number; seen_at: number };
  // Kysely's migrator owns its own tables; declared here only so nothing else claims the names.
  kysely_migration: { name: string; timestamp: Generated<string> };
}
