/** @module Conversions between table rows and domain objects (dates, booleans, JSON, optional fields). */
import type { ApiTokenRecord, AuditEvent, Experiment, ExperimentSession, Instance, Role, SessionRecord, User } from "@calipso/core";
import type { SqlDialect } from "./dialect.ts";
import type { ApiTokensTable, AuditTable, ExperimentsTable, InstancesTable, SessionsTable, UsersTable } from "./schema.ts";

/** Parses a JSON column (MySQL may hand back parsed values, MariaDB and SQLite hand back text). */
export function readJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** Drops `undefined`/`null` values so results fit `exactOptionalPropertyTypes`. */
export function compact<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], null> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = v;
  return out as { [K in keyof T]: Exclude<T[K], null> };
}

/** Escapes `!`, `%` and `_` for `LIKE … ESCAPE '!'` (the same escape character on every dialect). */
export function likeContains(search: string): string {
  return `%${search.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

export function toUser(d: SqlDialect, r: UsersTable): User {
  const roles = readJson<Role[]>(r.roles);
  const out: { -readonly [K in keyof User]: User[K] } = { id: r.id, username: r.username } as User;
  if (r.display_name !== null) out.displayName = r.display_name;
  if (r.email !== null) out.email = r.email;
  out.roles = roles.includes("user") ? roles : (["user", ...roles] as Role[]);
  out.mayUseOwnResources = Number(r.may_use_own_resources) === 1;
  out.createdAt = d.readDate(r.created_at);
  if (r.experiments_synced_at !== null) out.experimentsSyncedAt = d.readDate(r.experiments_synced_at);
  return out;
}

export function toSession(d: SqlDialect, r: SessionsTable): SessionRecord {
  return { tokenHash: r.token_hash, userId: r.user_id, createdAt: d.readDate(r.created_at), expiresAt: d.readDate(r.expires_at) };
}

export function toApiToken(d: SqlDialect, r: ApiTokensTable): ApiTokenRecord {
  return compact({
    id: r.id,
    userId: r.user_id,
    name: r.name,
    tokenHash: r.token_hash,
    scopes: readJson<ApiTokenRecord["scopes"]>(r.scopes),
    createdAt: d.readDate(r.created_at),
    expiresAt: r.expires_at === null ? undefined : d.readDate(r.expires_at),
    lastUsedAt: r.last_used_at === null ? undefined : d.readDate(r.last_used_at),
  }) as ApiTokenRecord;
}

interface StoredSession {
  id: string;
  number?: string;
  startsAt?: string;
  endsAt?: string;
  datasets: { path: string; readOnly: true }[];
}

/** Sessions as stored in the JSON column (dates as ISO strings). */
export function sessionsToJson(sessions: readonly ExperimentSession[]): string {
  const stored: StoredSession[] = sessions.map((s) =>
    compact({
      id: s.id,
      number: s.number,
      startsAt: s.startsAt?.toISOString(),
      endsAt: s.endsAt?.toISOString(),
      datasets: (s.datasets ?? []).map((ds) => ({ path: ds.path, readOnly: true as const })),
    }) as StoredSession,
  );
  return JSON.stringify(stored);
}

/** A stored session back as a domain session (a plain literal: this runs for every row of every listing). */
function readSession(s: StoredSession): ExperimentSession {
  const out: { -readonly [K in keyof ExperimentSession]: ExperimentSession[K] } = { id: s.id } as ExperimentSession;
  if (s.number !== undefined && s.number !== null) out.number = s.number;
  if (s.startsAt !== undefined && s.startsAt !== null) out.startsAt = new Date(s.startsAt);
  if (s.endsAt !== undefined && s.endsAt !== null) out.endsAt = new Date(s.endsAt);
  if (s.datasets !== undefined && s.datasets !== null) out.datasets = s.datasets;
  return out;
}

export function toExperiment(r: ExperimentsTable): Experiment {
  const stored = readJson<StoredSession[]>(r.sessions);
  const sessions = new Array<ExperimentSession>(stored.length);
  for (let i = 0; i < stored.length; i++) sessions[i] = readSession(stored[i]!);
  const out: { -readonly [K in keyof Experiment]: Experiment[K] } = { id: r.id, source: r.source, proposalId: r.proposal_id, title: r.title } as Experiment;
  if (r.abstract !== null) out.abstract = r.abstract;
  if (r.beamline !== null) out.beamline = r.beamline;
  if (r.posix_uid !== null && r.posix_gid !== null) out.posix = { uid: Number(r.posix_uid), gid: Number(r.posix_gid) };
  out.sessions = sessions;
  return out;
}

/** An instance row as a domain object; `secret` is still the stored (encrypted) value. */
export function toInstance(d: SqlDialect, r: InstancesTable): Instance {
  const out: { -readonly [K in keyof Instance]: Instance[K] } = { id: r.id, owner: r.owner } as Instance;
  if (r.experiment_id !== null) out.experimentId = r.experiment_id;
  if (r.session_id !== null) out.sessionId = r.session_id;
  out.template = r.template;
  out.state = r.state as Instance["state"];
  if (r.state_reason !== null) out.stateReason = r.state_reason;
  out.resources =
    r.storage_gib === null
      ? { cpu: Number(r.cpu), memoryMiB: Number(r.memory_mib) }
      : { cpu: Number(r.cpu), memoryMiB: Number(r.memory_mib), storageGiB: Number(r.storage_gib) };
  const compute = r.compute === null ? null : readJson<Instance["compute"] | null>(r.compute);
  if (compute !== null && compute !== undefined) out.compute = compute;
  const desktop = r.desktop === null ? null : readJson<Instance["desktop"] | null>(r.desktop);
  if (desktop !== null && desktop !== undefined) out.desktop = desktop;
  const endpoint = r.endpoint === null ? null : readJson<Instance["endpoint"] | null>(r.endpoint);
  if (endpoint !== null && endpoint !== undefined) out.endpoint = endpoint;
  if (r.secret !== null) out.secret = r.secret;
  out.createdAt = d.readDate(r.created_at);
  if (r.started_at !== null) out.startedAt = d.readDate(r.started_at);
  if (r.ended_at !== null) out.endedAt = d.readDate(r.ended_at);
  if (r.expires_at !== null) out.expiresAt = d.readDate(r.expires_at);
  if (r.last_activity_at !== null) out.lastActivityAt = d.readDate(r.last_activity_at);
  return out;
}

export function toAudit(d: SqlDialect, r: AuditTable): AuditEvent {
  return compact({
    id: r.id,
    at: d.readDate(r.at),
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome as AuditEvent["outcome"],
    detail: r.detail === null ? undefined : readJson<AuditEvent["detail"]>(r.detail),
  }) as AuditEvent;
}

/** Clamps a page query so offsets stay sane whatever the caller passed. */
export function clampPage(q: { page?: number | undefined; pageSize?: number | undefined }, defaultSize: number, maxSize: number): { page: number; pageSize: number; offset: number } {
  const int = (v: number | undefined, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : fallback);
  const page = Math.min(Math.max(int(q.page, 1), 1), 1_000_000);
  const pageSize = Math.min(Math.max(int(q.pageSize, defaultSize), 1), maxSize);
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/**
 * The total of a listing page. With `windowed`, the rows carry it (`count(*) over ()`); otherwise,
 * and for an empty page past the first, the page itself tells when it is the last one (a partial
 * page, or an empty first page) and only a full or empty later page needs `count()`.
 */
export async function pageTotal(
  rows: readonly object[],
  windowed: boolean,
  page: { page: number; pageSize: number },
  count: () => Promise<number>,
): Promise<number> {
  if (windowed && rows.length > 0) return Number((rows[0] as { total?: unknown }).total);
  if (rows.length > 0 && rows.length < page.pageSize) return (page.page - 1) * page.pageSize + rows.length;
  if (rows.length === 0 && page.page === 1) return 0;
  return count();
}
