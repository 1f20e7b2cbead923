/**
 * @module What differs between MySQL/MariaDB and SQLite, as one interface (`SqlDialect`), and its
 * MySQL/MariaDB half: connection, column types, dates, upserts, transactions and row locks, and how
 * driver errors are classified. The SQLite half is in `sqlite.ts`.
 */
import { createPool } from "mysql2";
import type { PoolConnection } from "mysql2";
import { CompiledQuery, Kysely, MysqlDialect, sql } from "kysely";
import type { MysqlConfig } from "./config.ts";
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

export function errorFields(error: unknown): { code?: string; errno?: number; fatal?: boolean } {
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

export function asDate(value: unknown): Date {
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
