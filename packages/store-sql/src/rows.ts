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
  return compact({
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    email: r.email,
    roles: roles.includes("user") ? roles : (["user", ...roles] as Role[]),
    mayUseOwnResources: Number(r.may_use_own_resources) === 1,
    createdAt: d.readDate(r.created_at),
    experimentsSyncedAt: r.experiments_synced_at === null ? undefined : d.readDate(r.experiments_synced_at),
  }) as User;
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

export function toExperiment(r: ExperimentsTable): Experiment {
  const sessions = readJson<StoredSession[]>(r.sessions).map(
    (s) =>
      compact({
        id: s.id,
        number: s.number,
        startsAt: s.startsAt === undefined ? undefined : new Date(s.startsAt),
        endsAt: s.endsAt === undefined ? undefined : new Date(s.endsAt),
        datasets: s.datasets,
      }) as ExperimentSession,
  );
  return compact({
    id: r.id,
    source: r.source,
    proposalId: r.proposal_id,
    title: r.title,
    abstract: r.abstract,
    beamline: r.beamline,
    posix: r.posix_uid !== null && r.posix_gid !== null ? { uid: Number(r.posix_uid), gid: Number(r.posix_gid) } : undefined,
    sessions,
  }) as Experiment;
}

/** An instance row as a domain object; `secret` is still the stored (encrypted) value. */
export function toInstance(d: SqlDialect, r: InstancesTable): Instance {
  const date = (v: unknown) => (v === null || v === undefined ? undefined : d.readDate(v));
  const json = <T>(v: unknown) => (v === null || v === undefined ? undefined : readJson<T>(v));
  return compact({
    id: r.id,
    owner: r.owner,
    experimentId: r.experiment_id,
    sessionId: r.session_id,
    template: r.template,
    state: r.state as Instance["state"],
    stateReason: r.state_reason,
    resources: compact({ cpu: Number(r.cpu), memoryMiB: Number(r.memory_mib), storageGiB: r.storage_gib === null ? undefined : Number(r.storage_gib) }),
    compute: json<Instance["compute"]>(r.compute),
    desktop: json<Instance["desktop"]>(r.desktop),
    endpoint: json<Instance["endpoint"]>(r.endpoint),
    secret: r.secret,
    createdAt: d.readDate(r.created_at),
    startedAt: date(r.started_at),
    endedAt: date(r.ended_at),
    expiresAt: date(r.expires_at),
    lastActivityAt: date(r.last_activity_at),
  }) as Instance;
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
