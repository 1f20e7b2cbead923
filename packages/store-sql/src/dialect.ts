/**
 * @module Everything that differs between MySQL/MariaDB and SQLite, in one place: connection,
 * column types, dates, upserts, transactions and row locks, and how driver errors are classified.
 */
import { AppError } from "@calipso/core";
import { createPool } from "mysql2";
import type { PoolConnection } from "mysql2";
import BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, Kysely, MysqlDialect, SqliteAdapter, SqliteDialect, SqliteDriver, sql } from "kysely";
import type { DatabaseConnection, DialectAdapter, Driver, SqliteDatabase, SqliteDialectConfig } from "kysely";
import type { MysqlConfig, SqliteConfig } from "./config.ts";
import { resolveMysqlConnection } from "./config.ts";
import type { Database, DbDate } from "./schema.ts";
import { preparedReads } from "./precompiled.ts";

/** What went wrong in the database, independent of the driver. */
export type FailureKind = "unavailable" | "refused" | "retry" | "duplicate" | "missing-reference" | "referenced" | "other";

/** Column types used by the migrations. */
export interface ColumnTypes {
  readonly datetime: "datetime(3)" | "bigint";
  readonly json: "json" | "text";
  readonly bool: "boolean" | "integer";
  readonly bigint: "bigint";
  readonly double: "double precision" | "real";
}

/** The dialect-specific half of the store. */
export interface SqlDialect {
  readonly name: "mysql" | "sqlite";
  /**
   * Whether listings get their total from `count(*) over ()` in the page query (one round trip to a
   * server), or from the page and, when the page is full, a separate COUNT (in-process SQLite, where
   * the window function makes it materialise and sort the rows twice: twice the cost of the page).
   */
  readonly totalInWindow: boolean;
  readonly types: ColumnTypes;
  /** Table options appended to CREATE TABLE (engine and collation on MySQL). */
  readonly tableOptions: string;
  /** A column reference usable in CREATE INDEX, with a prefix length where the dialect needs one. */
  prefixed(column: string, length: number): string;
  /** A JS date as the column value. */
  date(value: Date): DbDate;
  /** A column value as a JS date. */
  readDate(value: unknown): Date;
  /**
   * Runs `fn` in one transaction. On SQLite the transaction is IMMEDIATE (takes the write lock
   * at once) and Kysely's single-connection mutex serialises callers of this process.
   */
  transaction<T>(db: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>, options?: { readCommitted?: boolean }): Promise<T>;
  /** Inside a transaction: locks the user's row until the end of it; false when there is no such user. */
  lockUser(tx: Kysely<Database>, userId: string): Promise<boolean>;
  /** Turns an INSERT into an upsert on `keys` that updates `columns` from the inserted values. */
  upsert<Q>(qb: Q, keys: readonly string[], columns: readonly string[]): Q;
  /** Turns an INSERT into one that does nothing when `keys` already exist (and only then). */
  ignoreDuplicate<Q>(qb: Q, keys: readonly string[]): Q;
  /** Classifies a driver error. */
  classify(error: unknown): FailureKind;
}

const MYSQL_UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  "ENETUNREACH",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR",
  "PROTOCOL_ENQUEUE_AFTER_QUIT",
  "POOL_CLOSED",
  "POOL_ENQUEUELIMIT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "ER_CONNECTION_KILLED",
  "ER_QUERY_INTERRUPTED",
]);
/** The server refused our connection settings: a configuration problem, not an outage. */
const MYSQL_REFUSED_CODES = new Set([
  "ER_ACCESS_DENIED_ERROR",
  "ER_DBACCESS_DENIED_ERROR",
  "ER_BAD_DB_ERROR",
  "HANDSHAKE_NO_SSL_SUPPORT",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);
// 1040 too many connections, 1053 shutdown, 1077/1078/1079/1080 shutdown, 1152/1153/1158-1161 network,
// 1317 query interrupted, 1927 connection killed (MariaDB), 2002/2003/2006/2013 client: cannot connect, gone, lost.
const MYSQL_UNAVAILABLE_ERRNOS = new Set([1040, 1053, 1077, 1078, 1079, 1080, 1152, 1153, 1158, 1159, 1160, 1161, 1317, 1927, 2002, 2003, 2006, 2013]);

function errorFields(error: unknown): { code?: string; errno?: number; fatal?: boolean } {
  if (typeof error !== "object" || error === null) return {};
  const e = error as { code?: unknown; errno?: unknown; fatal?: unknown };
  return {
    ...(typeof e.code === "string" ? { code: e.code } : {}),
    ...(typeof e.errno === "number" ? { errno: e.errno } : {}),
    ...(typeof e.fatal === "boolean" ? { fatal: e.fatal } : {}),
  };
}

function classifyMysql(error: unknown): FailureKind {
  const { code, errno, fatal } = errorFields(error);
  if (errno === 1213 || errno === 1205 || code === "ER_LOCK_DEADLOCK" || code === "ER_LOCK_WAIT_TIMEOUT") return "retry";
  if (errno === 1062 || code === "ER_DUP_ENTRY") return "duplicate";
  if (errno === 1452 || code === "ER_NO_REFERENCED_ROW_2" || code === "ER_NO_REFERENCED_ROW") return "missing-reference";
  if (errno === 1451 || code === "ER_ROW_IS_REFERENCED_2" || code === "ER_ROW_IS_REFERENCED") return "referenced";
  if ((code !== undefined && MYSQL_REFUSED_CODES.has(code)) || errno === 1044 || errno === 1045 || errno === 1049) return "refused";
  if ((code !== undefined && MYSQL_UNAVAILABLE_CODES.has(code)) || (errno !== undefined && MYSQL_UNAVAILABLE_ERRNOS.has(errno)) || fatal === true) {
    return "unavailable";
  }
  if (error instanceof Error && /Pool is closed|Can't add new command when connection is in closed state/i.test(error.message)) return "unavailable";
  return "other";
}

function classifySqlite(error: unknown): FailureKind {
  const { code } = errorFields(error);
  if (code === undefined) return "other";
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return "duplicate";
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") return "missing-reference";
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "retry";
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_IOERR") || code === "SQLITE_FULL" || code === "SQLITE_READONLY") return "unavailable";
  if (error instanceof TypeError && /database connection is not open/i.test(String(error.message))) return "unavailable";
  return "other";
}

function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  if (typeof value === "string") return /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value.includes("T") || value.endsWith("Z") ? value : `${value.replace(" ", "T")}Z`);
  throw new TypeError("not a date column value");
}

/**
 * Kysely's driver sends every query with `query()` (text protocol, values escaped into the SQL by
 * the client). The precompiled hot reads go through `execute()` instead: prepared once per
 * connection, then only the values travel, which costs MariaDB and this process less CPU per call.
 */
function usePreparedReads(conn: PoolConnection): void {
  const query = conn.query.bind(conn) as (sql: string, values: unknown, cb: unknown) => unknown;
  const execute = conn.execute.bind(conn) as (sql: string, values: unknown, cb: unknown) => unknown;
  (conn as unknown as { query: typeof query }).query = (sql, values, cb) => (preparedReads.has(sql) ? execute(sql, values, cb) : query(sql, values, cb));
}

/** Creates the MySQL/MariaDB dialect and its pooled Kysely instance. */
export function createMysql(config: MysqlConfig): { dialect: SqlDialect; db: Kysely<Database> } {
  const c = resolveMysqlConnection(config);
  const tls = config.tls;
  const pool = createPool({
    ...(c.socketPath !== undefined ? { socketPath: c.socketPath } : { host: c.host, port: c.port }),
    user: c.user,
    password: c.password,
    database: c.database,
    connectionLimit: config.poolSize,
    queueLimit: config.queueLimit,
    connectTimeout: config.connectTimeoutMs,
    timezone: "Z",
    dateStrings: false,
    decimalNumbers: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    charset: "utf8mb4_unicode_ci",
    enableKeepAlive: true,
    multipleStatements: false,
    ...(tls === false
      ? {}
      : {
          ssl:
            tls === true
              ? { rejectUnauthorized: true }
              : {
                  rejectUnauthorized: tls.rejectUnauthorized,
                  ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
                  ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
                  ...(tls.key !== undefined ? { key: tls.key } : {}),
                  ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
                },
        }),
  });
  // A pooled connection that dies while idle emits 'error'; the pool drops it. Swallow the event
  // so an idle disconnect never crashes the process; the next query opens a new connection.
  pool.on("connection", (conn) => {
    conn.on("error", () => {});
    usePreparedReads(conn);
  });
  const db = new Kysely<Database>({
    dialect: new MysqlDialect({
      pool,
      // UTC everywhere, strict modes, and backslash escapes on (mysql2 escapes parameters with them).
      onCreateConnection: async (conn) => {
        await conn.executeQuery(
          CompiledQuery.raw(
            "SET SESSION time_zone = '+00:00', SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
          ),
        );
      },
    }),
  });
  const dialect: SqlDialect = {
    name: "mysql",
    totalInWindow: true,
    types: { datetime: "datetime(3)", json: "json", bool: "boolean", bigint: "bigint", double: "double precision" },
    tableOptions: "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
    prefixed: (column, length) => `${column}(${length})`,
    date: (value) => value,
    readDate: asDate,
    transaction: (kdb, fn, options) => {
      const builder = kdb.transaction();
      return (options?.readCommitted ? builder.setIsolationLevel("read committed") : builder).execute(fn);
    },
    async lockUser(tx, userId) {
      const row = await tx.selectFrom("users").select("id").where("id", "=", userId).forUpdate().executeTakeFirst();
      return row !== undefined;
    },
    upsert: (qb, keys, columns) => {
      void keys;
      const set = Object.fromEntries(columns.map((col) => [col, sql`values(${sql.ref(col)})`]));
      return (qb as unknown as { onDuplicateKeyUpdate(s: unknown): unknown }).onDuplicateKeyUpdate(set) as typeof qb;
    },
    ignoreDuplicate: (qb, keys) => {
      const first = keys[0]!;
      return (qb as unknown as { onDuplicateKeyUpdate(s: unknown): unknown }).onDuplicateKeyUpdate({ [first]: sql.ref(first) }) as typeof qb;
    },
    classify: classifyMysql,
  };
  return { dialect, db };
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
  if (config.wal && config.file !== ":memory:") raw.pragma("journal_mode = WAL");
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
