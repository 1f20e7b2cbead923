/**
 * @module @calipso/core — domain, provider ports, use cases and errors. Web-standard only.
 */
export { AppError, ERROR_CODES, errorSpec, isAppError, isErrorCode, toAppError, toProblem } from "./errors.ts";
export type { AppErrorOptions, ErrorCode, ErrorSpec, Problem } from "./errors.ts";

export { IdentitySchema, RoleSchema, UserSchema, UsernameSchema, isAdmin } from "./domain/user.ts";
export type { Identity, Role, User } from "./domain/user.ts";
export {
  DatasetSchema,
  ExperimentQuerySchema,
  ExperimentSchema,
  ExperimentSessionSchema,
  ExperimentSortSchema,
  PosixIdentitySchema,
  SourceExperimentSchema,
  experimentStartsAt,
} from "./domain/experiment.ts";
export type {
  Dataset,
  Experiment,
  ExperimentListItem,
  ExperimentQuery,
  ExperimentSession,
  ExperimentSort,
  Page,
  PosixIdentity,
  SourceExperiment,
} from "./domain/experiment.ts";
export { ReadinessSchema, ResourcesSchema, SecretDeliverySchema, TemplateSchema } from "./domain/template.ts";
export type { Readiness, Resources, SecretDelivery, Template, TemplateInput } from "./domain/template.ts";
export {
  ACTIVE_STATES,
  ComputeHandleSchema,
  DesktopHandleSchema,
  EndpointSchema,
  InstanceSchema,
  InstanceStateSchema,
  JsonObjectSchema,
  TERMINAL_STATES,
  isTerminal,
} from "./domain/instance.ts";
export type { ComputeHandle, DesktopHandle, Endpoint, Instance, InstanceState, Json, JsonObject } from "./domain/instance.ts";
export { INSTANCE_TRANSITIONS, canTransition, transition } from "./domain/instance-state.ts";
export { EMPTY_USAGE, QuotaLimitsSchema, addUsage, exceededLimit } from "./domain/quota.ts";
export type { Quota, QuotaLimits, QuotaUsage } from "./domain/quota.ts";
export { AuditEventSchema } from "./domain/audit.ts";
export type { AuditEvent, AuditEventInput } from "./domain/audit.ts";
export { ApiTokenRecordSchema, ApiTokenScopeSchema, SessionRecordSchema } from "./domain/session.ts";
export type { ApiTokenRecord, ApiTokenScope, SessionRecord } from "./domain/session.ts";

export { silentLogger } from "./ports/context.ts";
export type { Logger, ProviderContext, Secrets } from "./ports/context.ts";
export type { AuthCallOptions, AuthCapabilities, AuthProvider, FederatedRequest, RedirectAuth, RedirectStart } from "./ports/auth.ts";
export type { ExperimentCallOptions, ExperimentCapabilities, ExperimentSource } from "./ports/experiments.ts";
export type {
  ComputeBackend,
  ComputeCapabilities,
  ComputeProgress,
  ComputeStartOptions,
  ComputeStarted,
  ComputeStatus,
  ListedWorkload,
  WorkloadMount,
  WorkloadSpec,
} from "./ports/compute.ts";
export type { DesktopAccess, DesktopCapabilities, DesktopRegistration, RemoteDesktop } from "./ports/desktop.ts";
export type {
  ApiTokenRepository,
  AuditRepository,
  ExperimentRepository,
  InstancePatch,
  InstanceQuery,
  InstanceRepository,
  LeaseRepository,
  PageQuery,
  QuotaRepository,
  SessionRepository,
  Store,
  StoreCapabilities,
  TemplateRepository,
  UserRepository,
} from "./ports/store.ts";

export { PROVIDER_BRAND, PROVIDER_KINDS, defineProvider, formatIssues, instantiate, isProviderDefinition } from "./provider.ts";
export type { ProviderDefinition, ProviderInput, ProviderKind, ProviderKinds } from "./provider.ts";

export { createId, createSecret, createToken, hashToken } from "./tokens.ts";
export { createSecrets, generateSecretKey } from "./secrets.ts";

export { createCalipso } from "./calipso.ts";
export { checkMountConfig, resolveMounts, safeSegment, safeSubPath } from "./usecases/mounts.ts";
export type { MountRequest } from "./usecases/mounts.ts";
export { LABELS, workloadName } from "./usecases/workload.ts";
export { API_TOKEN_PREFIX } from "./usecases/auth.ts";

export type {
  Actor,
  Calipso,
  CalipsoDeps,
  InstanceEvent,
  LaunchRequest,
  LoginRequest,
  LoginResult,
  MountConfig,
  ReapReport,
  ReconcileReport,
} from "./calipso-types.ts";

export {
  DEFAULT_PBKDF2_ITERATIONS,
  PASSWORD_HASH_PATTERN,
  StaticConfigSchema,
  createStaticAuth,
  createStaticExperiments,
  hashPassword,
  parsePasswordHash,
  staticAuth,
  staticDefinitions,
  staticExperiments,
  verifyPassword,
} from "./static/index.ts";
export type { ParsedPasswordHash, StaticConfig, StaticConfigParsed } from "./static/index.ts";
