/**
 * @module The SQLite half of `SqlDialect` (better-sqlite3): opening a file safely when other
 * processes open it at the same moment, IMMEDIATE transactions taken in arrival order, cached
 * prepared statements, and how SQLite errors are classified.
 */
import { AppError } from "@calipso/core";
import BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, sql } from "kysely";
import type { DatabaseConnection, DialectAdapter, Driver, SqliteDatabase, SqliteDialectConfig } from "kysely";
import type { SqliteConfig } from "./config.ts";
import type { FailureKind, SqlDialect } from "./dialect.ts";
import { asDate, errorFields } from "./dialect.ts";
import type { Database } from "./schema.ts";

/** Classifies a better-sqlite3 error. */
export function classifySqlite(error: unknown): FailureKind {
  const { code } = errorFields(error);
  if (code === undefined) return "other";
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return "duplicate";
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") return "missing-reference";
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "retry";
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_IOERR") || code === "SQLITE_FULL" || code === "SQLITE_READONLY") return "unavailable";
  if (error instanceof TypeError && /database connection is not open/i.test(String(error.message))) return "unavailable";
  return "other";
}


/**
 * Opens the database file. A native addon built for another Node.js (the `ERR_DLOPEN_FAILED` of a
 * machine whose Node was upgraded after `npm install`) is reported with the fix, not as a crash.
 */
function openSqlite(file: string): BetterSqlite3.Database {
  try {
    return new BetterSqlite3(file);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ERR_DLOPEN_FAILED") throw error;
    throw new AppError("INVALID_CONFIG", {
      provider: "sqlite",
      detail: `better-sqlite3 was built for another Node.js than ${process.version}: run \`npm rebuild better-sqlite3\``,
      cause: error,
    });
  }
}

/**
 * Turns on write-ahead logging. The switch needs the database's write lock, and SQLite answers
 * SQLITE_BUSY at once, without waiting the busy timeout, when another process holds that lock or
 * is switching the same fresh file at the same moment (about one open in thirty when two processes
 * start together). So this waits and tries again, with jitter, for up to `timeoutMs`, as the busy
 * timeout would. Store opening is synchronous and rare, so the wait blocks.
 */
export function switchToWal(raw: BetterSqlite3.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      raw.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      if (classifySqlite(error) !== "retry" || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 5 + Math.random() * 20);
    }
  }
}

/** SQLite driver whose transactions take the write lock at BEGIN (no deferred lock upgrade, no SQLITE_BUSY mid-transaction). */
class ImmediateSqliteDriver extends SqliteDriver {
  // Kysely's own mutex wakes every waiter at each release and lets the fastest win, so under load
  // some callers starve (p99 in seconds with 32 callers). A FIFO queue in front of it keeps order.
  readonly #queue = new FifoMutex();
  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#queue.lock();
    try {
      return await super.acquireConnection();
    } catch (error) {
      this.#queue.unlock();
      throw error;
    }
  }
  override async releaseConnection(): Promise<void> {
    try {
      await super.releaseConnection();
    } finally {
      this.#queue.unlock();
    }
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

/** A mutex that hands the lock over in arrival order. */
class FifoMutex {
  #held = false;
  readonly #waiting: (() => void)[] = [];
  lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  unlock(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  // SQLite does run DDL inside transactions: let the migrator wrap every run in one (IMMEDIATE, so
  // two processes migrating one file take turns instead of both applying the same migration).
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * The database as Kysely sees it, with the most recently used prepared statements kept: Kysely
 * prepares a statement for every query, and preparing cost about a tenth of a request's CPU while the
 * same SQL texts come back all the time (the hot reads are compiled once per shape). One connection
 * runs one query at a time, so a statement is never in use twice; SQLite re-prepares a cached
 * statement by itself after a schema change.
 */
function cachingStatements(raw: BetterSqlite3.Database, max = 256): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text); // most recently used last
      } else {
        statement = raw.prepare(text);
        if (statements.size >= max) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

/** Creates the SQLite dialect and its single-connection Kysely instance. */
export function createSqlite(config: SqliteConfig): { dialect: SqlDialect; db: Kysely<Database>; raw: BetterSqlite3.Database } {
  const raw = openSqlite(config.file);
  raw.pragma(`busy_timeout = ${config.busyTimeoutMs}`);
  raw.pragma("foreign_keys = ON");
  if (config.wal && config.file !== ":memory:") switchToWal(raw, config.busyTimeoutMs);
  raw.pragma("synchronous = NORMAL");
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cachingStatements(raw) }) });
  const dialect: SqlDialect = {
    name: "sqlite",
    totalInWindow: false,
    types: { datetime: "bigint", json: "text", bool: "integer", bigint: "bigint", double: "real" },
    tableOptions: "",
    prefixed: (column) => column,
    date: (value) => value.getTime(),
    readDate: asDate,
    // Transactions begin IMMEDIATE (see ImmediateSqliteDriver) and hold Kysely's single-connection
    // mutex for their whole callback: every other query of this process waits, so in-process callers
    // are serialised; the database write lock makes other processes wait too (up to busyTimeoutMs).
    transaction: (kdb, fn) => kdb.transaction().execute(fn),
    async lockUser(tx, userId) {
      // The IMMEDIATE transaction already holds the database's write lock.
      const row = await tx.selectFrom("users").select("id").where("id", "=", userId).executeTakeFirst();
      return row !== undefined;
    },
    upsert: (qb, keys, columns) => {
      const set = Object.fromEntries(columns.map((col) => [col, sql.ref(`excluded.${col}`)]));
      return (qb as unknown as { onConflict(cb: (oc: any) => unknown): unknown }).onConflict((oc) => oc.columns(keys).doUpdateSet(set)) as typeof qb;
    },
    ignoreDuplicate: (qb, keys) =>
      (qb as unknown as { onConflict(cb: (oc: any) => unknown): unknown }).onConflict((oc) => oc.columns(keys).doNothing()) as typeof qb,
    classify: classifySqlite,
  };
  return { dialect, db, raw };
}
