/**
 * @module @calipso/store-sql — the Calipso `Store` on Kysely: MySQL/MariaDB (mysql2) for production,
 * SQLite (better-sqlite3) as the embedded default. Node-only.
 */
import { sqliteStore } from "./providers.ts";

export { mysqlStore, sqliteStore } from "./providers.ts";
export { createSqlStore } from "./store.ts";
export type { SqlStore, SqlStoreOptions } from "./store.ts";
export { migrate } from "./migrate.ts";
export type { MigrationReport } from "./migrations.ts";
export { MIGRATION_TABLE } from "./migrations.ts";
export { MysqlConfigSchema, MysqlTlsSchema, SqliteConfigSchema } from "./config.ts";
export type { MysqlConfig, MysqlConfigInput, SqliteConfig, SqliteConfigInput } from "./config.ts";

/** The default export is the embedded default, SQLite; `mysqlStore` is the production store. */
export default sqliteStore;
