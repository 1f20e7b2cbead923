/** @module `migrate()`: applies pending migrations to a store or to a configuration, for `calipso migrate`. */
import type { MigrationReport } from "./migrations.ts";
import { createSqlStore } from "./store.ts";
import type { SqlStore, SqlStoreOptions } from "./store.ts";

/**
 * Applies every pending migration. Given a store, migrates it; given store options, opens the
 * database, migrates it and closes it. Harmless when nothing is pending; a database migrated by
 * a newer version is refused with `INVALID_CONFIG`.
 *
 * @example
 * const report = await migrate({ dialect: "mysql", url: process.env.DATABASE_URL });
 */
export async function migrate(target: SqlStore | SqlStoreOptions): Promise<MigrationReport> {
  if ("migrate" in target && typeof target.migrate === "function") return target.migrate();
  const store = await createSqlStore({ ...(target as SqlStoreOptions), migrate: true });
  try {
    // createSqlStore already migrated; report the state (applying again is a no-op).
    return await store.migrate();
  } finally {
    await store.close();
  }
}
