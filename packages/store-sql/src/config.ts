/** @module Configuration schemas of the MySQL/MariaDB and SQLite stores (strict, described, with defaults). */
import { z } from "zod";

/** TLS settings for a MySQL/MariaDB connection. */
export const MysqlTlsSchema = z
  .strictObject({
    ca: z.string().optional().describe("PEM of the CA certificate(s) that signed the server certificate; the system CAs when absent"),
    cert: z.string().optional().describe("PEM client certificate, for servers that require X.509 authentication"),
    key: z.string().optional().describe("PEM private key of the client certificate"),
    rejectUnauthorized: z.boolean().default(true).describe("Refuse servers whose certificate does not verify (keep true in production)"),
    servername: z.string().optional().describe("Host name to verify the certificate against, when it differs from host"),
  })
  .describe("TLS options");

/** Configuration of the MySQL/MariaDB store. */
export const MysqlConfigSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^(mysql|mariadb):\/\//, "must start with mysql:// or mariadb://")
      .optional()
      .describe("Connection URL mysql://user:password@host:port/database; its parts take precedence over the separate fields"),
    host: z.string().min(1).default("127.0.0.1").describe("Server host name or address"),
    port: z.number().int().min(1).max(65535).default(3306).describe("Server TCP port"),
    socketPath: z.string().optional().describe("Unix socket of the server; replaces host and port when set"),
    user: z.string().min(1).default("calipso").describe("Database user"),
    password: z.string().default("").describe("Password of the database user (use ${ENV} substitution; never commit it)"),
    database: z.string().regex(/^[A-Za-z0-9_$]{1,64}$/, "letters, digits, _ and $ only").default("calipso").describe("Database (schema) name"),
    tls: z.union([z.boolean(), MysqlTlsSchema]).default(false).describe("true for TLS with the system CAs, or TLS options"),
    poolSize: z.number().int().min(1).max(1000).default(10).describe("Maximum number of pooled connections"),
    queueLimit: z.number().int().min(0).max(100_000).default(0).describe("Maximum requests waiting for a connection (0: unlimited)"),
    connectTimeoutMs: z.number().int().min(100).max(600_000).default(10_000).describe("Timeout of a new connection"),
    migrate: z.boolean().default(false).describe("Run pending migrations when the store starts (otherwise run `calipso migrate`)"),
  })
  .describe("MySQL/MariaDB store");
export type MysqlConfig = z.infer<typeof MysqlConfigSchema>;
export type MysqlConfigInput = z.input<typeof MysqlConfigSchema>;

/** Configuration of the SQLite store. */
export const SqliteConfigSchema = z
  .strictObject({
    file: z.string().min(1).default("calipso.db").describe("Path of the database file, or ':memory:' for a throw-away database"),
    busyTimeoutMs: z.number().int().min(0).max(600_000).default(5_000).describe("How long a write, or opening the file, waits for another process's write lock"),
    wal: z.boolean().default(true).describe("Use write-ahead logging (better concurrency for files; ignored for :memory:)"),
    migrate: z.boolean().default(true).describe("Run pending migrations when the store starts"),
  })
  .describe("SQLite store (embedded)");
export type SqliteConfig = z.infer<typeof SqliteConfigSchema>;
export type SqliteConfigInput = z.input<typeof SqliteConfigSchema>;

/** Connection settings of mysql2 resolved from the config (URL parts win over fields). */
export interface MysqlConnection {
  readonly host: string;
  readonly port: number;
  readonly socketPath?: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Resolves the connection fields, letting the parts of `url` override the separate fields. */
export function resolveMysqlConnection(config: MysqlConfig): MysqlConnection {
  const base = {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    ...(config.socketPath !== undefined ? { socketPath: config.socketPath } : {}),
  };
  if (config.url === undefined) return base;
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    // The URL may contain a password: never echo it.
    throw new TypeError("url is not a valid mysql:// URL");
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database && !/^[A-Za-z0-9_$]{1,64}$/.test(database)) throw new TypeError("url names an invalid database");
  return {
    ...base,
    ...(url.hostname ? { host: url.hostname.replace(/^\[|\]$/g, "") } : {}),
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(database ? { database } : {}),
  };
}
