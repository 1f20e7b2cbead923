/** @module The SQL `Store`: one implementation over Kysely for both dialects. */
import { AsyncLocalStorage } from "node:async_hooks";
import { AppError, formatIssues } from "@calipso/core";
import type { Logger, Secrets, Store } from "@calipso/core";
import type { z } from "zod";
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { MysqlConfigSchema, SqliteConfigSchema } from "./config.ts";
import type { MysqlConfigInput, SqliteConfigInput } from "./config.ts";
import type { RepoContext } from "./context.ts";
import { createMysql } from "./dialect.ts";
import { classifySqlite, createSqlite } from "./sqlite.ts";
import type { SqlDialect } from "./dialect.ts";
import { toStoreError } from "./errors.ts";
import { checkSchema, runMigrations } from "./migrations.ts";
import type { MigrationReport } from "./migrations.ts";
import { experimentRepository } from "./repos/experiments.ts";
import { admitInstance, instanceRepository, quotaRepository } from "./repos/instances.ts";
import { auditRepository, leaseRepository, templateRepository } from "./repos/misc.ts";
import { apiTokenRepository, sessionRepository, userRepository } from "./repos/users.ts";
import { rootCause } from "./retry.ts";
import type { Database } from "./schema.ts";

/** A `Store` backed by SQL, with its migrations and (for tests and tools) its Kysely instance. */
export interface SqlStore extends Store {
  readonly dialect: "mysql" | "sqlite";
  /** Applies pending migrations (harmless when there are none). */
  migrate(): Promise<MigrationReport>;
  /**
   * Checks, without changing anything, that the schema is the one this version expects. While
   * migrations are pending, every call is refused with `INVALID_CONFIG` until `migrate()`.
   */
  checkSchema(): Promise<void>;
  /** The Kysely instance (for tools and tests; the schema is not a public contract). */
  readonly db: Kysely<Database>;
}

/** Options shared by both dialects. */
interface CommonOptions {
  /** Encrypts instance secrets at rest (the server passes `ctx.secrets`). */
  readonly secrets?: Secrets;
  readonly logger?: Logger;
}

/** Options of {@link createSqlStore}: a dialect and its configuration. */
export type SqlStoreOptions = ({ readonly dialect: "mysql" } & MysqlConfigInput & CommonOptions) | ({ readonly dialect: "sqlite" } & SqliteConfigInput & CommonOptions);

/** Wraps every method of a repository so that driver errors become `AppError`s without SQL text. */
function guard<T extends object>(repo: T, dialect: SqlDialect, provider: string, gate: Gate): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(repo)) {
    out[key] =
      typeof value === "function"
        ? async (...args: unknown[]) => {
            if (gate.refusal) throw gate.refusal;
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>)(...args);
            } catch (error) {
              throw toStoreError(error, dialect.classify(rootCause(error)), provider);
            }
          }
        : value;
  }
  return out as T;
}

/** Set while the schema has pending migrations: every call is refused with this error until `migrate()`. */
interface Gate {
  refusal?: AppError | undefined;
}

interface Active {
  tx: Kysely<Database>;
  open: boolean;
}

function assemble(ctx: RepoContext, gate: Gate, runInTransaction: <T>(fn: (tx: Store) => Promise<T>) => Promise<T>, extra: { close(): Promise<void> }): Store {
  const g = <T extends object>(repo: T) => guard(repo, ctx.dialect, ctx.provider, gate);
  const core = g({
    admitInstance: (instance: Parameters<Store["admitInstance"]>[0], limits: Parameters<Store["admitInstance"]>[1]) => admitInstance(ctx, instance, limits),
    ping: async () => {
      await sql`select 1`.execute(ctx.db());
    },
  });
  return {
    users: g(userRepository(ctx)),
    sessions: g(sessionRepository(ctx)),
    apiTokens: g(apiTokenRepository(ctx)),
    experiments: g(experimentRepository(ctx)),
    templates: g(templateRepository(ctx)),
    instances: g(instanceRepository(ctx)),
    quotas: g(quotaRepository(ctx)),
    audit: g(auditRepository(ctx)),
    leases: g(leaseRepository(ctx)),
    admitInstance: core.admitInstance,
    // Errors thrown by the callback pass through untouched; only the database's own are mapped.
    transaction: async <T>(fn: (tx: Store) => Promise<T>): Promise<T> => {
      if (gate.refusal) throw gate.refusal;
      const thrown = new Set<unknown>();
      try {
        return await runInTransaction(async (tx) => {
          try {
            return await fn(tx);
          } catch (error) {
            thrown.add(error);
            throw error;
          }
        });
      } catch (error) {
        if (thrown.has(error)) throw error;
        throw toStoreError(error, ctx.dialect.classify(rootCause(error)), ctx.provider);
      }
    },
    ping: core.ping,
    close: extra.close,
  };
}

/**
 * Builds the store on an open Kysely instance. Calls made on the store from inside a
 * `transaction` callback join that transaction (an AsyncLocalStorage tracks it), so code that
 * forgets to use `tx` neither escapes the transaction nor deadlocks SQLite's single connection.
 */
export function storeOnKysely(db: Kysely<Database>, dialect: SqlDialect, options: CommonOptions & { close?: () => Promise<void> } = {}): SqlStore {
  const provider = dialect.name;
  const current = new AsyncLocalStorage<Active>();
  const gate: Gate = {};
  const active = () => {
    const a = current.getStore();
    return a?.open ? a : undefined;
  };
  const rootCtx: RepoContext = {
    dialect,
    provider,
    secrets: options.secrets,
    db: () => active()?.tx ?? db,
    inTransaction: () => active() !== undefined,
  };
  let txStore: ((tx: Kysely<Database>) => Store) | undefined;
  const runInTransaction = async <T>(fn: (tx: Store) => Promise<T>): Promise<T> => {
    const a = active();
    if (a) return fn(txStore!(a.tx));
    return dialect.transaction(db, async (tx) => {
      const state: Active = { tx, open: true };
      try {
        return await current.run(state, () => fn(txStore!(tx)));
      } finally {
        state.open = false;
      }
    });
  };
  txStore = (tx) => {
    const ctx: RepoContext = { ...rootCtx, db: () => tx, inTransaction: () => true };
    return assemble(ctx, gate, (fn) => fn(txStore!(tx)), { close: async () => {} });
  };
  const close = options.close ?? (() => db.destroy());
  const store = assemble(rootCtx, gate, runInTransaction, { close });
  return Object.assign(store, {
    dialect: dialect.name,
    db,
    migrate: async () => {
      try {
        const report = await runMigrations(db, dialect, provider);
        gate.refusal = undefined;
        return report;
      } catch (error) {
        throw toStoreError(error, dialect.classify(rootCause(error)), provider);
      }
    },
    checkSchema: async () => {
      try {
        await checkSchema(db, dialect, provider);
        gate.refusal = undefined;
      } catch (error) {
        const e = toStoreError(error, dialect.classify(rootCause(error)), provider);
        if (e.meta?.["pendingMigrations"]) gate.refusal = e;
        throw e;
      }
    },
  });
}

function parseConfig<S extends z.ZodType>(schema: S, config: unknown, provider: string): z.output<S> {
  const parsed = schema.safeParse(config);
  if (!parsed.success) throw new AppError("INVALID_CONFIG", { provider, detail: formatIssues(parsed.error, `store.${provider}`), cause: parsed.error });
  return parsed.data;
}

/**
 * Creates a SQL store: MySQL/MariaDB (`dialect: "mysql"`) or SQLite (`dialect: "sqlite"`). With
 * `migrate: true` pending migrations run first; otherwise a store with pending migrations opens but
 * refuses every call (ping included) with `INVALID_CONFIG` until `migrate()` ran. A database
 * migrated by a newer Calipso is refused at once with `INVALID_CONFIG`.
 *
 * @example
 * const store = await createSqlStore({ dialect: "sqlite", file: ":memory:", secrets });
 */
export async function createSqlStore(options: SqlStoreOptions): Promise<SqlStore> {
  const { dialect: which, secrets, logger, ...config } = options;
  const common: CommonOptions = { ...(secrets ? { secrets } : {}), ...(logger ? { logger } : {}) };
  let store: SqlStore;
  let migrate: boolean;
  if (which === "mysql") {
    const parsed = parseConfig(MysqlConfigSchema, config, "mysql");
    let created: ReturnType<typeof createMysql>;
    try {
      created = createMysql(parsed);
    } catch (error) {
      throw new AppError("INVALID_CONFIG", { provider: "mysql", detail: error instanceof TypeError ? error.message : "Invalid MySQL configuration", cause: error });
    }
    const { dialect, db } = created;
    store = storeOnKysely(db, dialect, common);
    migrate = parsed.migrate;
  } else {
    const parsed = parseConfig(SqliteConfigSchema, config, "sqlite");
    let created: ReturnType<typeof createSqlite>;
    try {
      created = createSqlite(parsed);
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_DLOPEN_FAILED") {
        throw new AppError("INVALID_CONFIG", {
          provider: "sqlite",
          detail: `better-sqlite3's native module does not load in this Node.js ${process.version} (it was built for another version): run \`npm rebuild better-sqlite3\` with this Node.js`,
          cause: error,
        });
      }
      const kind = classifySqlite(error);
      throw toStoreError(error, kind === "other" ? "unavailable" : kind, "sqlite");
    }
    store = storeOnKysely(created.db, created.dialect, common);
    migrate = parsed.migrate;
  }
  try {
    if (migrate) {
      const report = await store.migrate();
      if (report.applied.length > 0) logger?.info("store migrated", { applied: report.applied });
    } else {
      // A newer or unreachable database is refused now. Pending migrations are not: the store opens
      // (so that `calipso migrate` can run them) but refuses every call, ping included, until then.
      await store.checkSchema().catch((error: unknown) => {
        if (!(AppError.is(error) && error.meta?.["pendingMigrations"])) throw error;
        logger?.warn("store schema has pending migrations; run `calipso migrate`", { pending: error.meta["pendingMigrations"] });
      });
    }
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  return store;
}

