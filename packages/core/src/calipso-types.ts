/** @module The public shape of `createCalipso()`: its dependencies and its use cases. */
import type { AuditEvent } from "./domain/audit.ts";
import type { ExperimentListItem, ExperimentQuery, Page } from "./domain/experiment.ts";
import type { Instance, InstanceState } from "./domain/instance.ts";
import type { Quota, QuotaLimits } from "./domain/quota.ts";
import type { ApiTokenRecord, ApiTokenScope } from "./domain/session.ts";
import type { Template, TemplateInput } from "./domain/template.ts";
import type { Role, User } from "./domain/user.ts";
import type { AuthProvider, RedirectStart } from "./ports/auth.ts";
import type { ComputeBackend } from "./ports/compute.ts";
import type { Logger, Secrets } from "./ports/context.ts";
import type { DesktopAccess, RemoteDesktop } from "./ports/desktop.ts";
import type { ExperimentSource } from "./ports/experiments.ts";
import type { Store } from "./ports/store.ts";

/** Where experiment data, outputs and homes live, on the host and inside workloads. */
export interface MountConfig {
  /** Absolute host path under which every dataset path must resolve. */
  readonly dataRoot: string;
  /** Absolute host path of the output root; one folder per experiment and user below it. */
  readonly outputRoot: string;
  /** Absolute host path of home folders (one per user), or absent for none. */
  readonly homeRoot?: string;
  /** Where datasets appear inside the workload (default `/data`). */
  readonly dataTarget?: string;
  /** Where the output folder appears (default `/output`). */
  readonly outputTarget?: string;
  /** Where the home folder appears (default `/home/calipso`). */
  readonly homeTarget?: string;
}

/** Everything `createCalipso()` needs. Providers are already instantiated. */
export interface CalipsoDeps {
  readonly store: Store;
  readonly auth: AuthProvider;
  /** The experiment source and the name under which its experiments are stored. */
  readonly experiments: { readonly name: string; readonly source: ExperimentSource; readonly cacheTtlSec?: number };
  /** Compute backends by name; templates name theirs (`default` when unnamed). */
  readonly compute: Readonly<Record<string, ComputeBackend>>;
  readonly desktop?: RemoteDesktop;
  readonly secrets: Secrets;
  readonly mounts: MountConfig;
  /** Quota when a user has no override. */
  readonly quota: QuotaLimits;
  /** Templates to put into the store at start (config-managed). */
  readonly templates?: readonly TemplateInput[];
  /** POSIX identity for launches without an experiment identity (never root unless a template allows it). */
  readonly defaultPosix?: { uid: number; gid: number };
  /**
   * Sessions: `ttlSec` is the sliding lifetime (default 8 h). `cacheSec` (default 0: off) lets this
   * process answer a session it authenticated in the last `cacheSec` seconds from memory; changes made
   * by other replicas (logout, roles) then reach this one only after up to that many seconds.
   */
  readonly sessions?: { readonly ttlSec?: number; readonly cacheSec?: number };
  /** Distinguishes this deployment's workloads (label `calipso.deployment`). */
  readonly deploymentId?: string;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Grace period given to a compute start after its timeout fired, before it is considered hung. */
  readonly abortGraceMs?: number;
}

/** A caller: an authenticated user (admin or not). */
export type Actor = User;

/** The result of a login. */
export interface LoginResult {
  readonly user: User;
  /** The session token: give it to the client, never store it. */
  readonly token: string;
  readonly expiresAt: Date;
}

export type LoginRequest =
  | { readonly method: "password"; readonly username: string; readonly password: string }
  | { readonly method: "federated"; readonly attributes: Readonly<Record<string, string>>; readonly remoteAddress?: string };

/** A progress or state event of an instance. */
export interface InstanceEvent {
  readonly instanceId: string;
  readonly at: Date;
  readonly type: "state" | "progress";
  readonly state: InstanceState;
  readonly message?: string;
  readonly percent?: number;
}

export interface LaunchRequest {
  readonly template: string;
  readonly experimentId?: string;
  readonly sessionId?: string;
}

/** A report of what `reconcile()` changed. */
export interface ReconcileReport {
  readonly removedWorkloads: number;
  readonly failedInstances: number;
  readonly releasedDesktops: number;
  readonly skipped?: string;
}

export interface ReapReport {
  readonly terminated: number;
  /** Login sessions past their expiry that were deleted. */
  readonly expiredSessions?: number;
  readonly skipped?: string;
}

/** Calipso's use cases. */
export interface Calipso {
  // auth
  login(request: LoginRequest, options?: { signal?: AbortSignal }): Promise<LoginResult>;
  startRedirectLogin(options: { redirectUri: string }): Promise<RedirectStart>;
  finishRedirectLogin(options: { callbackUrl: string; redirectUri: string; transaction: string }): Promise<LoginResult>;
  /** The user of a session token (sliding expiry), or throws `UNAUTHENTICATED`. */
  authenticate(token: string): Promise<{ user: User; expiresAt: Date }>;
  logout(token: string): Promise<void>;
  createApiToken(actor: Actor, input: { name: string; scopes: ApiTokenScope[]; expiresAt?: Date }): Promise<{ token: string; record: Omit<ApiTokenRecord, "tokenHash"> }>;
  listApiTokens(actor: Actor): Promise<readonly Omit<ApiTokenRecord, "tokenHash">[]>;
  revokeApiToken(actor: Actor, id: string): Promise<void>;
  /** The user and scopes of a personal API token, or throws `UNAUTHENTICATED`. */
  authenticateApiToken(token: string): Promise<{ user: User; scopes: readonly ApiTokenScope[] }>;

  // experiments and templates
  listExperiments(actor: Actor, query?: Partial<ExperimentQuery>): Promise<Page<ExperimentListItem>>;
  setFavourite(actor: Actor, experimentId: string, favourite: boolean): Promise<void>;
  listTemplates(actor: Actor): Promise<readonly Template[]>;

  // instances
  launch(actor: Actor, request: LaunchRequest): Promise<Instance>;
  getInstance(actor: Actor, id: string): Promise<Instance>;
  listInstances(actor: Actor, query?: { page?: number; pageSize?: number; states?: InstanceState[]; all?: boolean }): Promise<Page<Instance>>;
  terminate(actor: Actor, id: string): Promise<Instance>;
  access(actor: Actor, id: string, options?: { readOnly?: boolean }): Promise<DesktopAccess>;
  /** State and progress events: the current state first, then live events until terminal or aborted. */
  events(actor: Actor, id: string, options?: { signal?: AbortSignal }): AsyncIterable<InstanceEvent>;
  quota(actor: Actor): Promise<Quota>;

  // admin
  admin: {
    listUsers(actor: Actor, query?: { page?: number; pageSize?: number; search?: string }): Promise<Page<User>>;
    setRoles(actor: Actor, userId: string, roles: Role[]): Promise<User>;
    setMayUseOwnResources(actor: Actor, userId: string, value: boolean): Promise<User>;
    getQuota(actor: Actor, userId: string): Promise<Quota>;
    setQuota(actor: Actor, userId: string, limits: QuotaLimits | null): Promise<Quota>;
    putTemplate(actor: Actor, template: TemplateInput): Promise<Template>;
    deleteTemplate(actor: Actor, name: string): Promise<void>;
    listAudit(actor: Actor, query?: { page?: number; pageSize?: number; actor?: string; target?: string }): Promise<Page<AuditEvent>>;
  };

  // background
  reconcile(options?: { holder?: string }): Promise<ReconcileReport>;
  reap(options?: { holder?: string }): Promise<ReapReport>;
  /** Seeds config templates into the store; called by the host at start. */
  init(): Promise<void>;
  /** Resolves when every background launch and termination has settled. */
  idle(): Promise<void>;
  /** Stops background work (aborting in-flight starts, which compensate) and disposes providers. */
  dispose(): Promise<void>;
}
