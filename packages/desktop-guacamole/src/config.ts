/** @module The `guacamole` provider's configuration: one strict schema per mode, discriminated by `mode`. */
import { z } from "zod";

const namePrefix = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,38}-$/, "lower-case letters, digits and dashes, ending with a dash")
  .default("calipso-")
  .describe("Prefix of every name Calipso writes at the gateway; `list()` and reconcile only touch names with this prefix");

const rdp = z
  .strictObject({
    security: z
      .enum(["any", "nla", "nla-ext", "tls", "vnc", "rdp"])
      .default("any")
      .describe("RDP `security` parameter: how the RDP server is authenticated"),
    ignoreCert: z.boolean().default(false).describe("RDP `ignore-cert`: accept the RDP server's certificate without checking it"),
  })
  .prefault({})
  .describe("Settings applied to RDP connections");

const connectionParameters = z
  .record(z.string().regex(/^[a-z][a-z0-9-]*$/), z.string().max(4096))
  .default({})
  .describe("Extra Guacamole connection parameters added to every connection (e.g. `color-depth`)");

const guacamoleUrl = z
  .url({ protocol: /^https?$/ })
  .describe("Public base URL of the Guacamole web application as the browser sees it, e.g. https://desk.example.org/guacamole");

/** `jdbc` mode: rows in Guacamole's MySQL/MariaDB authentication database. */
export const JdbcConfigSchema = z.strictObject({
  mode: z.literal("jdbc").describe("Write connections and per-instance users into Guacamole's MySQL authentication database"),
  database: z
    .strictObject({
      host: z.string().min(1).default("127.0.0.1").describe("MySQL/MariaDB host of Guacamole's database"),
      port: z.number().int().min(1).max(65535).default(3306).describe("MySQL/MariaDB port"),
      user: z.string().min(1).describe("Database user with INSERT/DELETE on the guacamole_* tables"),
      password: z.string().default("").describe("Database password (use ${ENV} substitution in the config file)"),
      database: z.string().min(1).default("guacamole_db").describe("Name of Guacamole's database"),
      connectionLimit: z.number().int().min(1).max(100).default(5).describe("Size of the connection pool"),
    })
    .describe("Guacamole's MySQL/MariaDB database"),
  guacamoleUrl,
  apiUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("Base URL the server uses for Guacamole's REST API (`/api/tokens`) when it differs from guacamoleUrl, e.g. an internal address"),
  dataSource: z.string().min(1).default("mysql").describe("Guacamole data source identifier of the JDBC extension"),
  sessionTimeoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(60)
    .describe("Guacamole's `api-session-timeout` (minutes): how long an unused auth token stays valid; reported as the access expiry"),
  namePrefix,
  rdp,
  connectionParameters,
});

/** `json` mode: signed, encrypted, expiring tokens for the guacamole-auth-json extension. */
export const JsonConfigSchema = z.strictObject({
  mode: z.literal("json").describe("Hand out encrypted JSON tokens for Guacamole's guacamole-auth-json extension"),
  guacamoleUrl,
  secretKey: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, "32 hexadecimal digits (128 bits)")
    .describe("The extension's `json-secret-key`: 128-bit key as 32 hex digits, shared with Guacamole"),
  tokenTtlSeconds: z.number().int().min(5).max(3600).default(60).describe("Lifetime of a token (the JSON `expires` field)"),
  singleUse: z.boolean().default(true).describe("Mark tokens `singleUse` so Guacamole refuses a second use until they expire"),
  namePrefix,
  rdp,
  connectionParameters,
});

/** `tunnel` mode: Calipso speaks the Guacamole protocol to guacd itself; no Tomcat. */
export const TunnelConfigSchema = z.strictObject({
  mode: z.literal("tunnel").describe("Built-in WebSocket tunnel to guacd (Node only); no Guacamole web application needed"),
  guacd: z
    .strictObject({
      host: z.string().min(1).default("127.0.0.1").describe("guacd host"),
      port: z.number().int().min(1).max(65535).default(4822).describe("guacd port"),
    })
    .prefault({})
    .describe("Where guacd listens"),
  publicUrl: z
    .url({ protocol: /^https?$/ })
    .describe("Public base URL of the server that mounts the tunnel, e.g. https://calipso.example.org"),
  path: z
    .string()
    .regex(/^(\/[a-z0-9-]+)+$/, "an absolute path like /desktop")
    .default("/desktop")
    .describe("Mount path: page at {path}/{id}, WebSocket at {path}/{id}/tunnel, assets under {path}/_assets/"),
  tokenTtlSeconds: z.number().int().min(2).max(300).default(30).describe("Lifetime of a single-use access token"),
  namePrefix,
  rdp,
  connectionParameters,
});

/** The provider's configuration, discriminated by `mode`. */
export const GuacamoleConfigSchema = z
  .discriminatedUnion("mode", [JdbcConfigSchema, JsonConfigSchema, TunnelConfigSchema])
  .describe("Apache Guacamole remote desktop gateway");

export type GuacamoleConfig = z.output<typeof GuacamoleConfigSchema>;
export type JdbcConfig = z.output<typeof JdbcConfigSchema>;
export type JsonConfig = z.output<typeof JsonConfigSchema>;
export type TunnelConfig = z.output<typeof TunnelConfigSchema>;
