/**
 * @module Row types of the tables, as Kysely sees them. Dates are `Date` on MySQL and integer
 * milliseconds on SQLite (see `dialect.ts`); JSON columns hold serialised text.
 */

/** A date column value: `Date` (MySQL DATETIME(3), UTC) or epoch milliseconds (SQLite). */
export type DbDate = Date | number;
/** A boolean column value (TINYINT / INTEGER). */
export type DbBool = number;
/** A JSON column value: text on write; text or parsed JSON on read. */
export type DbJson = string;

export interface UsersTable {
  id: string;
  username: string;
  display_name: string | null;
  email: string | null;
  roles: DbJson;
  may_use_own_resources: DbBool;
  created_at: DbDate;
  experiments_synced_at: DbDate | null;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: DbDate;
  expires_at: DbDate;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scopes: DbJson;
  created_at: DbDate;
  expires_at: DbDate | null;
  last_used_at: DbDate | null;
}

export interface ExperimentsTable {
  id: string;
  source: string;
  proposal_id: string;
  title: string;
  abstract: string | null;
  beamline: string | null;
  posix_uid: number | null;
  posix_gid: number | null;
  /** Earliest session start, for sorting. */
  starts_at: DbDate | null;
  sessions: DbJson;
}

export interface MembershipsTable {
  user_id: string;
  experiment_id: string;
}

export interface FavouritesTable {
  user_id: string;
  experiment_id: string;
}

export interface TemplatesTable {
  name: string;
  body: DbJson;
}

export interface InstancesTable {
  id: string;
  owner: string;
  experiment_id: string | null;
  session_id: string | null;
  template: string;
  state: string;
  state_reason: string | null;
  cpu: number;
  memory_mib: number;
  storage_gib: number | null;
  compute: DbJson | null;
  desktop: DbJson | null;
  endpoint: DbJson | null;
  secret: string | null;
  created_at: DbDate;
  started_at: DbDate | null;
  ended_at: DbDate | null;
  expires_at: DbDate | null;
  last_activity_at: DbDate | null;
}

export interface QuotasTable {
  user_id: string;
  instances: number;
  cpu: number;
  memory_mib: number;
  storage_gib: number;
}

export interface AuditTable {
  id: string;
  at: DbDate;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  detail: DbJson | null;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: DbDate;
}

/** The whole database. */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  experiments: ExperimentsTable;
  memberships: MembershipsTable;
  favourites: FavouritesTable;
  templates: TemplatesTable;
  instances: InstancesTable;
  quotas: QuotasTable;
  audit: AuditTable;
  leases: LeasesTable;
}
