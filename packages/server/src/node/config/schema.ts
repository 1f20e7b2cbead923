/**
 * @module The configuration schema: the server's own keys, with each provider slot's `config`
 * validated by that provider's `configSchema` once the providers are known (`composeSchema`).
 */
import { z } from "zod";
import { PosixIdentitySchema, QuotaLimitsSchema, TemplateSchema } from "@calipso/core";
import type { ProviderDefinition, ProviderKind } from "@calipso/core";

const SLUG = /^[a-z][a-z0-9-]{0,62}$/;

const Limit = z.strictObject({
  max: z.number().int().min(1).max(1_000_000).describe("Failed attempts allowed per window"),
  windowSec: z.number().int().min(1).max(86_400).describe("Window length in seconds"),
});

/** A provider slot before its provider is known. */
export const ProviderRefSchema = z.strictObject({
  provider: z.string().min(1).describe("Built-in alias (docker, kubernetes, guacamole, mysql, sqlite, facility-http, oidc, static, memory, fake) or a module specifier whose default export is a provider definition"),
  config: z.unknown().optional().describe("The provider's own configuration (see its documentation)"),
});

export const ServerSchema = z
  .strictObject({
    host: z.string().min(1).default("127.0.0.1").describe("Address to listen on"),
    port: z.number().int().min(0).max(65535).default(8080).describe("TCP port to listen on (0: any free port)"),
    publicUrl: z.url().optional().describe("External URL of the server (behind a proxy); used for Origin checks and OIDC redirects"),
    secureCookies: z.boolean().default(true).describe("Mark cookies Secure (HTTPS only); set false only for plain-HTTP development"),
    cookieName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default("calipso_session").describe("Name of the session cookie"),
    sessionTtlSec: z.number().int().min(60).max(30 * 86_400).default(8 * 3600).describe("Session lifetime; each request slides it"),
    sessionCacheSec: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(0)
      .describe(
        "Answer a session authenticated in the last N seconds from this process's memory (0: off). Saves two store reads per request; a logout or role change made on another replica reaches this one only after up to N seconds",
      ),
    allowedOrigins: z.array(z.url()).default([]).describe("Origins of front ends on other hosts that may call the API with the session cookie (CORS with credentials, and the CSRF origin check)"),
    trustedProxies: z.array(z.string().min(1)).default([]).describe("Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed, and which may send federated-login attributes"),
    federatedHeaders: z.array(z.string().regex(/^[A-Za-z0-9-]{1,64}$/)).default([]).describe("Request headers that carry federated-login attributes (set by the trusted proxy)"),
    loginRateLimit: z
      .strictObject({
        perAccount: Limit.default({ max: 10, windowSec: 900 }).describe("Failed logins per account"),
        perAddress: Limit.default({ max: 50, windowSec: 900 }).describe("Failed logins per client address"),
      })
      .default({ perAccount: { max: 10, windowSec: 900 }, perAddress: { max: 50, windowSec: 900 } })
      .describe("Login rate limits"),
    docs: z.boolean().default(true).describe("Serve the interactive API documentation at /api/docs"),
    metrics: z.boolean().default(true).describe("Serve Prometheus metrics at /metrics"),
    afterLoginUrl: z.string().min(1).default("/").describe("Where the browser goes after an OpenID Connect login"),
    shutdownGraceSec: z.number().int().min(0).max(600).default(10).describe("How long SIGTERM waits for in-flight requests"),
    workers: z.number().int().min(1).max(64).default(1).describe("Processes serving the API on the same port (node:cluster); more than 1 needs a store shared between processes (mysql)"),
  })
  .describe("HTTP listener, cookies and request security");

const defaultServer = ServerSchema.parse({});

export const MountsSchema = z
  .strictObject({
    dataRoot: z.string().min(1).describe("Absolute host path under which every dataset path must resolve"),
    outputRoot: z.string().min(1).describe("Absolute host path of the output root (one folder per experiment and user)"),
    homeRoot: z.string().min(1).optional().describe("Absolute host path of home folders (one per user); none when absent"),
    dataTarget: z.string().startsWith("/").optional().describe("Where datasets appear in workloads (default /data)"),
    outputTarget: z.string().startsWith("/").optional().describe("Where the output folder appears (default /output)"),
    homeTarget: z.string().startsWith("/").optional().describe("Where the home folder appears (default /home/calipso)"),
  })
  .describe("Host folders mounted into workloads");

/** The server's own configuration; provider configs are checked by `composeSchema`. */
export const BaseConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe("JSON Schema reference for editors (ignored)"),
    secretKey: z.string().min(40).describe("Base64 of 32 random bytes: encrypts secrets at rest and derives CSRF tokens. Use ${file:/path} or ${ENV}"),
    server: ServerSchema.default(defaultServer),
    store: ProviderRefSchema.describe("Where Calipso keeps its state (sqlite, mysql, memory)"),
    auth: ProviderRefSchema.describe("Who may log in (static, facility-http, oidc)"),
    experiments: ProviderRefSchema.extend({
      name: z.string().regex(SLUG).default("facility").describe("Name under which this source's experiments are stored"),
      cacheTtlSec: z.number().int().min(0).max(86_400).default(300).describe("How long a user's experiment list is cached"),
    }).describe("Where experiments and memberships come from (static, facility-http)"),
    compute: z
      .record(z.string().regex(SLUG), ProviderRefSchema)
      .refine((r) => Object.keys(r).length > 0, "configure at least one compute backend")
      .describe("Compute backends by name; each template names its backend (default: `default`)"),
    desktop: ProviderRefSchema.optional().describe("Remote desktop gateway (guacamole)"),
    mounts: MountsSchema,
    quota: QuotaLimitsSchema.default({ instances: 2, cpu: 4, memoryMiB: 8192, storageGiB: 20 }).describe("Quota of users without an override"),
    templates: z.array(TemplateSchema).default([]).describe("Templates put into the store at start"),
    defaultPosix: PosixIdentitySchema.optional().describe("uid/gid of launches without an experiment identity"),
    deploymentId: z.string().regex(SLUG).default("calipso").describe("Label that distinguishes this deployment's workloads"),
    background: z
      .strictObject({
        reconcileIntervalSec: z.number().int().min(0).max(86_400).default(60).describe("Seconds between reconciliations (0: off)"),
        reapIntervalSec: z.number().int().min(0).max(86_400).default(60).describe("Seconds between reaping expired and idle instances (0: off)"),
      })
      .default({ reconcileIntervalSec: 60, reapIntervalSec: 60 })
      .describe("Background work"),
    log: z
      .strictObject({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info").describe("Lowest level written") })
      .default({ level: "info" })
      .describe("Logging (JSON lines on stdout)"),
  })
  .describe("Calipso server configuration");

export type BaseConfig = z.output<typeof BaseConfigSchema>;

/** The provider definitions chosen for each slot. */
export interface ResolvedProviders {
  readonly store: ProviderDefinition<"store">;
  readonly auth: ProviderDefinition<"auth">;
  readonly experiments: ProviderDefinition<"experiments">;
  readonly compute: Readonly<Record<string, ProviderDefinition<"compute">>>;
  readonly desktop?: ProviderDefinition<"desktop">;
}

function slot(provider: string, def: ProviderDefinition<ProviderKind>) {
  return z.strictObject({
    provider: z.literal(provider).describe(def.description ?? `Provider ${def.name}`),
    config: def.configSchema.optional().describe(`Configuration of ${def.name}`),
  });
}

/** The full schema for a config whose providers are known: each slot's `config` uses its provider's schema. */
export function composeSchema(config: BaseConfig, providers: ResolvedProviders) {
  const compute: Record<string, z.ZodType> = {};
  for (const [name, def] of Object.entries(providers.compute)) compute[name] = slot(config.compute[name]!.provider, def);
  return BaseConfigSchema.extend({
    store: slot(config.store.provider, providers.store),
    auth: slot(config.auth.provider, providers.auth),
    experiments: slot(config.experiments.provider, providers.experiments).extend({
      name: BaseConfigSchema.shape.experiments.shape.name,
      cacheTtlSec: BaseConfigSchema.shape.experiments.shape.cacheTtlSec,
    }),
    compute: z.strictObject(compute),
    ...(providers.desktop && config.desktop ? { desktop: slot(config.desktop.provider, providers.desktop) } : {}),
  });
}

/** A schema in which each slot may be any of the given definitions (for `calipso config-schema` without a config). */
export function catalogueSchema(catalogue: Partial<Record<ProviderKind, readonly { alias: string; definition: ProviderDefinition<ProviderKind> }[]>>) {
  const anyOf = (kind: ProviderKind) => {
    const options = (catalogue[kind] ?? []).map((e) => slot(e.alias, e.definition));
    return options.length === 0 ? ProviderRefSchema : z.union([...options, ProviderRefSchema] as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  };
  return BaseConfigSchema.extend({
    store: anyOf("store"),
    auth: anyOf("auth"),
    experiments: z.intersection(anyOf("experiments"), z.object({ name: z.string().optional(), cacheTtlSec: z.number().optional() })),
    compute: z.record(z.string().regex(SLUG), anyOf("compute")),
    desktop: anyOf("desktop").optional(),
  });
}
