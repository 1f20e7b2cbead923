/**
 * @module Versioned schema migrations (Kysely's Migrator with an in-code provider). Applying them
 * twice is harmless; a database migrated by a newer Calipso (unknown migration names) is refused.
 */
import { AppError } from "@calipso/core";
import { Migrator, sql } from "kysely";
import type { Kysely, Migration } from "kysely";
import type { SqlDialect } from "./dialect.ts";
import type { Database } from "./schema.ts";

/** Names of the bookkeeping tables. */
export const MIGRATION_TABLE = "calipso_migrations";
export const MIGRATION_LOCK_TABLE = "calipso_migrations_lock";

type AnyDb = Kysely<any>; // migrations describe past schemas, not today's types

function initial(d: SqlDialect): Migration {
  const t = d.types;
  const dt = sql.raw(t.datetime);
  const json = sql.raw(t.json);
  const opts = sql.raw(d.tableOptions);
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable("users")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("username", "varchar(128)", (c) => c.notNull().unique())
        .addColumn("display_name", "varchar(256)")
        .addColumn("email", "varchar(320)")
        .addColumn("roles", json, (c) => c.notNull())
        .addColumn("may_use_own_resources", sql.raw(t.bool), (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", dt, (c) => c.notNull())
        .addColumn("experiments_synced_at", dt)
        .modifyEnd(opts)
        .execute();

      await db.schema
        .createTable("sessions")
        .addColumn("token_hash", "char(64)", (c) => c.primaryKey())
        .addColumn("user_id", "varchar(64)", (c) => c.notNull())
        .addColumn("created_at", dt, (c) => c.notNull())
        .addColumn("expires_at", dt, (c) => c.notNull())
        .addForeignKeyConstraint("sessions_user_fk", ["user_id"], "users", ["id"], (fk) => fk.onDelete("cascade"))
        .modifyEnd(opts)
        .execute();
      await db.schema.createIndex("sessions_user_idx").on("sessions").column("user_id").execute();
      await db.schema.createIndex("sessions_expires_idx").on("sessions").column("expires_at").execute();

      await db.schema
        .createTable("api_tokens")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("user_id", "varchar(64)", (c) => c.notNull())
        .addColumn("name", "varchar(128)", (c) => c.notNull())
        .addColumn("token_hash", "char(64)", (c) => c.notNull().unique())
        .addColumn("scopes", json, (c) => c.notNull())
        .addColumn("created_at", dt, (c) => c.notNull())
        .addColumn("expires_at", dt)
        .addColumn("last_used_at", dt)
        .addForeignKeyConstraint("api_tokens_user_fk", ["user_id"], "users", ["id"], (fk) => fk.onDelete("cascade"))
        .modifyEnd(opts)
        .execute();
      await db.schema.createIndex("api_tokens_user_idx").on("api_tokens").column("user_id").execute();

      await db.schema
        .createTable("experiments")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("source", "varchar(64)", (c) => c.notNull())
        .addColumn("proposal_id", "varchar(128)", (c) => c.notNull())
        .addColumn("title", "varchar(1024)", (c) => c.notNull())
        .addColumn("abstract", "text")
        .addColumn("beamline", "varchar(128)")
        .addColumn("posix_uid", "integer")
        .addColumn("posix_gid", "integer")
        .addColumn("starts_at", dt)
        .addColumn("sessions", json, (c) => c.notNull())
        .addUniqueConstraint("experiments_source_proposal_uq", ["source", "proposal_id"])
        .modifyEnd(opts)
        .execute();
      await db.schema.createIndex("experiments_beamline_idx").on("experiments").column("beamline").execute();
      await db.schema.createIndex("experiments_starts_idx").on("experiments").column("starts_at").execute();
      await sql`create index experiments_title_idx on experiments (${sql.raw(d.prefixed("title", 191))})`.execute(db);

      for (const table of ["memberships", "favourites"] as const) {
        await db.schema
          .createTable(table)
          .addColumn("user_id", "varchar(64)", (c) => c.notNull())
          .addColumn("experiment_id", "varchar(64)", (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ["user_id", "experiment_id"])
          .addForeignKeyConstraint(`${table}_user_fk`, ["user_id"], "users", ["id"], (fk) => fk.onDelete("cascade"))
          .addForeignKeyConstraint(`${table}_experiment_fk`, ["experiment_id"], "experiments", ["id"], (fk) => fk.onDelete("cascade"))
          .modifyEnd(opts)
          .execute();
        await db.schema.createIndex(`${table}_experiment_idx`).on(table).column("experiment_id").execute();
      }

      await db.schema
        .createTable("templates")
        .addColumn("name", "varchar(64)", (c) => c.primaryKey())
        .addColumn("body", json, (c) => c.notNull())
        .modifyEnd(opts)
        .execute();

      await db.schema
        .createTable("instances")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("owner", "varchar(64)", (c) => c.notNull())
        .addColumn("experiment_id", "varchar(64)")
        .addColumn("session_id", "varchar(128)")
        .addColumn("template", "varchar(64)", (c) => c.notNull())
        .addColumn("state", "varchar(16)", (c) => c.notNull())
        .addColumn("state_reason", "varchar(2000)")
        .addColumn("cpu", sql.raw(t.double), (c) => c.notNull())
        .addColumn("memory_mib", "bigint", (c) => c.notNull())
        .addColumn("storage_gib", sql.raw(t.double))
        .addColumn("compute", json)
        .addColumn("desktop", json)
        .addColumn("endpoint", json)
        .addColumn("secret", "text")
        .addColumn("created_at", dt, (c) => c.notNull())
        .addColumn("started_at", dt)
        .addColumn("ended_at", dt)
        .addColumn("expires_at", dt)
        .addColumn("last_activity_at", dt)
        .addForeignKeyConstraint("instances_owner_fk", ["owner"], "users", ["id"])
        .modifyEnd(opts)
        .execute();
      await db.schema.createIndex("instances_owner_state_idx").on("instances").columns(["owner", "state"]).execute();
      await db.schema.createIndex("instances_state_idx").on("instances").columns(["state", "expires_at"]).execute();
      await db.schema.createIndex("instances_created_idx").on("instances").column("created_at").execute();

      await db.schema
        .createTable("quotas")
        .addColumn("user_id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("instances", "integer", (c) => c.notNull())
        .addColumn("cpu", sql.raw(t.double), (c) => c.notNull())
        .addColumn("memory_mib", "bigint", (c) => c.notNull())
        .addColumn("storage_gib", sql.raw(t.double), (c) => c.notNull())
        .addForeignKeyConstraint("quotas_user_fk", ["user_id"], "users", ["id"], (fk) => fk.onDelete("cascade"))
        .modifyEnd(opts)
        .execute();

      await db.schema
        .createTable("audit")
        .addColumn("id", "varchar(64)", (c) => c.primaryKey())
        .addColumn("at", dt, (c) => c.notNull())
        .addColumn("actor", "varchar(64)", (c) => c.notNull())
        .addColumn("action", "varchar(64)", (c) => c.notNull())
        .addColumn("target", "varchar(256)", (c) => c.notNull())
        .addColumn("outcome", "varchar(16)", (c) => c.notNull())
        .addColumn("detail", json)
        .modifyEnd(opts)
        .execute();
      await db.schema.createIndex("audit_at_idx").on("audit").column("at").execute();
      await db.schema.createIndex("audit_actor_idx").on("audit").columns(["actor", "at"]).execute();
      await db.schema.createIndex("audit_target_idx").on("audit").columns(["target", "at"]).execute();

      await db.schema
        .createTable("leases")
        .addColumn("name", "varchar(128)", (c) => c.primaryKey())
        .addColumn("holder", "varchar(256)", (c) => c.notNull())
        .addColumn("expires_at", dt, (c) => c.notNull())
        .modifyEnd(opts)
        .execute();
    },
    async down(db: AnyDb) {
      for (const table of ["leases", "audit", "quotas", "instances", "templates", "favourites", "memberships", "experiments", "api_tokens", "sessions", "users"]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/** Every migration, by name; names sort in the order they apply. Append, never edit. */
export function migrationsFor(dialect: SqlDialect): Record<string, Migration> {
  return { "0001_initial": initial(dialect) };
}

/** Outcome of {@link runMigrations}. */
export interface MigrationReport {
  /** Migrations applied by this call (empty when the schema was already up to date). */
  readonly applied: readonly string[];
  /** Every migration the database has now. */
  readonly current: readonly string[];
}

async function appliedNames(db: Kysely<Database>): Promise<string[] | null> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return null;
  const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

function refuseNewer(applied: readonly string[], known: readonly string[], provider: string): void {
  const unknown = applied.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new AppError("INVALID_CONFIG", {
      provider,
      detail: `The database was migrated by a newer version of Calipso (unknown migrations: ${unknown.join(", ")}). Upgrade Calipso or point it at another database.`,
      meta: { unknownMigrations: unknown },
    });
  }
}

/** Applies every pending migration. Refuses a database migrated by a newer version. */
export async function runMigrations(db: Kysely<Database>, dialect: SqlDialect, provider: string): Promise<MigrationReport> {
  const migrations = migrationsFor(dialect);
  const known = Object.keys(migrations).sort();
  refuseNewer((await appliedNames(db)) ?? [], known, provider);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    if (AppError.is(error)) throw error;
    throw new AppError("PROVIDER_ERROR", {
      provider,
      detail: failed ? `Migration ${failed} failed; the database was left at the previous version` : "Migrations could not run",
      cause: error,
    });
  }
  const current = (await appliedNames(db)) ?? [];
  refuseNewer(current, known, provider);
  return { applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName), current };
}

/** Checks, without changing anything, that the schema is exactly the one this version expects. */
export async function checkSchema(db: Kysely<Database>, dialect: SqlDialect, provider: string): Promise<void> {
  const known = Object.keys(migrationsFor(dialect)).sort();
  const applied = (await appliedNames(db)) ?? [];
  refuseNewer(applied, known, provider);
  const pending = known.filter((n) => !applied.includes(n));
  if (pending.length > 0) {
    throw new AppError("INVALID_CONFIG", {
      provider,
      detail: `The database schema is not up to date (pending migrations: ${pending.join(", ")}). Run \`calipso migrate\` or set migrate: true.`,
      meta: { pendingMigrations: pending },
    });
  }
}
