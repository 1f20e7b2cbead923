/** @module What the API returns: whitelisted views of the domain (never a secret, never a handle's internals). */
import { z } from "@hono/zod-openapi";

export const UserView = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string().optional(),
    email: z.string().optional(),
    roles: z.array(z.enum(["user", "admin"])),
    mayUseOwnResources: z.boolean(),
    createdAt: z.string().describe("ISO 8601"),
  })
  .openapi("User");

export const DatasetView = z.object({ path: z.string(), readOnly: z.literal(true) }).openapi("Dataset");

export const ExperimentSessionView = z
  .object({
    id: z.string(),
    number: z.string().optional(),
    startsAt: z.string().optional(),
    endsAt: z.string().optional(),
    datasets: z.array(DatasetView),
  })
  .openapi("ExperimentSession");

export const ExperimentView = z
  .object({
    id: z.string(),
    source: z.string(),
    proposalId: z.string(),
    title: z.string(),
    abstract: z.string().optional(),
    beamline: z.string().optional(),
    favourite: z.boolean(),
    sessions: z.array(ExperimentSessionView),
  })
  .openapi("Experiment");

export const ResourcesView = z
  .object({ cpu: z.number(), memoryMiB: z.number().int(), storageGiB: z.number().optional() })
  .openapi("Resources");

export const TemplateView = z
  .object({
    name: z.string(),
    title: z.string(),
    description: z.string().optional(),
    kind: z.enum(["desktop", "web", "link"]),
    protocol: z.enum(["vnc", "rdp", "ssh", "http"]),
    resources: ResourcesView,
    maxLifetimeHours: z.number().optional(),
    idleMinutes: z.number().optional(),
    url: z.string().optional(),
  })
  .openapi("Template");

export const InstanceStateView = z.enum(["pending", "starting", "running", "terminating", "terminated", "failed"]).openapi("InstanceState");

export const InstanceView = z
  .object({
    id: z.string(),
    owner: z.string().describe("User id of the owner"),
    experimentId: z.string().optional(),
    sessionId: z.string().optional(),
    template: z.string(),
    state: InstanceStateView,
    stateReason: z.string().optional(),
    resources: ResourcesView,
    createdAt: z.string(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    expiresAt: z.string().optional(),
    lastActivityAt: z.string().optional(),
  })
  .openapi("Instance");

export const QuotaLimitsView = z
  .object({
    instances: z.number().int().min(0).max(10_000).describe("Maximum number of active instances"),
    cpu: z.number().min(0).max(100_000).describe("Maximum CPU cores over active instances"),
    memoryMiB: z.number().int().min(0).max(1024 * 1024 * 1024).describe("Maximum memory in MiB"),
    storageGiB: z.number().min(0).max(1024 * 1024 * 1024).describe("Maximum storage in GiB"),
  })
  .strict()
  .openapi("QuotaLimits");

export const QuotaView = z
  .object({
    limits: QuotaLimitsView,
    usage: z.object({ instances: z.number(), cpu: z.number(), memoryMiB: z.number(), storageGiB: z.number() }),
    overridden: z.boolean().describe("Whether an administrator set limits for this user"),
  })
  .openapi("Quota");

export const ApiTokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(["read", "write", "admin"])),
    createdAt: z.string(),
    expiresAt: z.string().optional(),
    lastUsedAt: z.string().optional(),
  })
  .openapi("ApiToken");

export const AuditEventView = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    outcome: z.enum(["success", "failure"]),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("AuditEvent");

export const AccessView = z
  .object({ url: z.string().describe("Short-lived URL that opens the environment"), expiresAt: z.string() })
  .openapi("Access");

export const SessionView = z
  .object({
    user: UserView,
    csrfToken: z.string().optional().describe("Send as X-CSRF-Token on unsafe requests made with the session cookie"),
    expiresAt: z.string().optional(),
    via: z.enum(["session", "token"]),
  })
  .openapi("Session");
