/** @module The Store port: every piece of state Calipso keeps. */
import type { AuditEvent, AuditEventInput } from "../domain/audit.ts";
import type { Experiment, ExperimentListItem, ExperimentQuery, Page, SourceExperiment } from "../domain/experiment.ts";
import type { Instance, InstanceState } from "../domain/instance.ts";
import type { QuotaLimits, QuotaUsage } from "../domain/quota.ts";
import type { ApiTokenRecord, SessionRecord } from "../domain/session.ts";
import type { Template } from "../domain/template.ts";
import type { Identity, Role, User } from "../domain/user.ts";

export interface PageQuery {
  readonly page: number;
  readonly pageSize: number;
}

export interface UserRepository {
  get(id: string): Promise<User | null>;
  getByUsername(username: string): Promise<User | null>;
  /** Creates the user on first login, or updates name and e-mail; roles only grow from a hint. */
  upsertFromIdentity(identity: Identity, now: Date): Promise<User>;
  update(id: string, patch: { roles?: Role[]; mayUseOwnResources?: boolean; displayName?: string; email?: string }): Promise<User>;
  list(query: PageQuery & { search?: string }): Promise<Page<User>>;
}

export interface SessionRepository {
  create(record: SessionRecord): Promise<void>;
  get(tokenHash: string): Promise<SessionRecord | null>;
  /** Slides the expiry. */
  touch(tokenHash: string, expiresAt: Date): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  deleteForUser(userId: string): Promise<void>;
  deleteExpired(now: Date): Promise<number>;
}

export interface ApiTokenRepository {
  create(record: ApiTokenRecord): Promise<void>;
  getByHash(tokenHash: string): Promise<ApiTokenRecord | null>;
  listForUser(userId: string): Promise<readonly ApiTokenRecord[]>;
  /** Deletes the user's token; false when the user has no such token. */
  delete(userId: string, id: string): Promise<boolean>;
  touch(id: string, lastUsedAt: Date): Promise<void>;
}

export interface ExperimentRepository {
  /**
   * Upserts the experiments by (source, proposalId) — never duplicating under concurrency —,
   * makes them the user's memberships for that source (dropping memberships that are gone),
   * and records the sync time on the user. Returns the stored experiments.
   */
  syncForUser(userId: string, source: string, experiments: readonly SourceExperiment[], now: Date): Promise<readonly Experiment[]>;
  /** Upserts one experiment by (source, proposalId). */
  upsert(source: string, experiment: SourceExperiment): Promise<Experiment>;
  get(id: string): Promise<Experiment | null>;
  getByProposal(source: string, proposalId: string): Promise<Experiment | null>;
  /** The user's experiments with the user's favourite flag; search, sort, paging done here. */
  listForUser(userId: string, query: ExperimentQuery): Promise<Page<ExperimentListItem>>;
  isMember(userId: string, experimentId: string): Promise<boolean>;
  setFavourite(userId: string, experimentId: string, favourite: boolean): Promise<void>;
}

export interface TemplateRepository {
  list(): Promise<readonly Template[]>;
  get(name: string): Promise<Template | null>;
  put(template: Template): Promise<void>;
  delete(name: string): Promise<boolean>;
}

export interface InstanceQuery extends Partial<PageQuery> {
  readonly owner?: string;
  readonly states?: readonly InstanceState[];
}

export interface InstanceRepository {
  get(id: string): Promise<Instance | null>;
  list(query: InstanceQuery): Promise<Page<Instance>>;
  /**
   * Compare-and-set: applies `patch` only when the stored state is one of `expected`.
   * Returns the updated instance, or `null` when the state did not match (someone else moved it).
   * Throws `NOT_FOUND` for an unknown id.
   */
  update(id: string, expected: readonly InstanceState[], patch: InstancePatch): Promise<Instance | null>;
}

/** Fields of an instance that may change after it was admitted. */
export type InstancePatch = Partial<
  Pick<Instance, "state" | "stateReason" | "compute" | "desktop" | "endpoint" | "startedAt" | "endedAt" | "expiresAt" | "lastActivityAt">
>;

export interface QuotaRepository {
  /** The user's override, or `null` for the configured defaults. */
  get(userId: string): Promise<QuotaLimits | null>;
  /** Sets or (with `null`) clears the override. */
  set(userId: string, limits: QuotaLimits | null): Promise<void>;
  /** Sums over the user's active instances. */
  usage(userId: string): Promise<QuotaUsage>;
}

export interface AuditRepository {
  append(event: AuditEventInput & { at: Date }): Promise<AuditEvent>;
  list(query: PageQuery & { actor?: string; target?: string }): Promise<Page<AuditEvent>>;
}

export interface LeaseRepository {
  /** Takes or renews the named lease for `holder`; false when another holder has it. */
  acquire(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

/**
 * All of Calipso's state. Implementations must make `admitInstance` atomic across processes.
 */
export interface Store {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly experiments: ExperimentRepository;
  readonly templates: TemplateRepository;
  readonly instances: InstanceRepository;
  readonly quotas: QuotaRepository;
  readonly audit: AuditRepository;
  readonly leases: LeaseRepository;
  /**
   * Atomic quota admission: under a lock on the owner (row lock or serialised section), sums
   * the owner's active instances, and inserts `instance` (state `pending`) only if it fits
   * `limits`; otherwise throws `QUOTA_EXCEEDED` naming the limit. N concurrent calls can
   * never exceed the limits, even from several processes.
   */
  admitInstance(instance: Instance, limits: QuotaLimits): Promise<Instance>;
  /** Runs `fn` in one transaction: all its writes land, or none. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Probes the store (for readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Capabilities a store declares. */
export interface StoreCapabilities {
  /** Admission and leases hold across processes sharing the database. */
  readonly multiProcess?: boolean;
  readonly transactions?: boolean;
}
