/** @module Provider definitions for the server: `mysql` and `sqlite`. */
import { defineStore } from "@calipso/sdk";
import { MysqlConfigSchema, SqliteConfigSchema } from "./config.ts";
import { createSqlStore } from "./store.ts";

/**
 * The MySQL/MariaDB store (production): pooled, TLS-capable, safe with several server replicas.
 *
 * @example
 * store: { provider: mysql, config: { url: "mysql://calipso@db.example.org/calipso", password: "${DB_PASSWORD}" } }
 */
export const mysqlStore = defineStore({
  name: "mysql",
  description: "MySQL/MariaDB store (mysql2): row-locked quota admission, leases, versioned migrations",
  configSchema: MysqlConfigSchema,
  capabilities: { multiProcess: true, transactions: true },
  create: (config, ctx) => createSqlStore({ dialect: "mysql", ...config, secrets: ctx.secrets, logger: ctx.logger }),
});

/**
 * The SQLite store (embedded default): one file, or `:memory:`; no server needed.
 *
 * @example
 * store: { provider: sqlite, config: { file: /var/lib/calipso/calipso.db } }
 */
export const sqliteStore = defineStore({
  name: "sqlite",
  description: "SQLite store (better-sqlite3): embedded, one file, immediate transactions for quota admission",
  configSchema: SqliteConfigSchema,
  capabilities: { multiProcess: false, transactions: true },
  create: (config, ctx) => createSqlStore({ dialect: "sqlite", ...config, secrets: ctx.secrets, logger: ctx.logger }),
});
