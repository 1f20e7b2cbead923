/**
 * @module Test support (not exported): a fresh MariaDB database per test run on 127.0.0.1:3306,
 * dropped afterwards, and the three store configurations every suite runs against.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecrets, generateSecretKey } from "@calipso/core";
import type { Secrets } from "@calipso/core";
import { createConnection } from "mysql2/promise";
import { createSqlStore } from "../store.ts";
import type { SqlStore } from "../store.ts";

export const MARIADB = { host: process.env.CALIPSO_TEST_MYSQL_HOST ?? "127.0.0.1", port: Number(process.env.CALIPSO_TEST_MYSQL_PORT ?? 3306), user: "root", password: "" };
export const REQUIRE_REAL = process.env.CALIPSO_REQUIRE_REAL === "1";

/** Why MariaDB cannot be used here, or `undefined` when it answers. */
export async function mariadbUnavailable(): Promise<string | undefined> {
  try {
    const c = await createConnection({ ...MARIADB, connectTimeout: 2000 });
    await c.query("select 1");
    await c.end();
    return undefined;
  } catch (error) {
    return `MariaDB at ${MARIADB.host}:${MARIADB.port} unreachable (${(error as { code?: string }).code ?? "error"})`;
  }
}

/** Whether a real-service suite runs, and the title suffix that says why it is skipped. */
export async function mariadbGate(): Promise<{ skip: boolean; note: string }> {
  const reason = await mariadbUnavailable();
  if (reason === undefined || REQUIRE_REAL) return { skip: false, note: "" };
  return { skip: true, note: ` (skipped: ${reason}; set CALIPSO_REQUIRE_REAL=1 to fail instead)` };
}

/** Creates `calipso_test_<random>`; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `calipso_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = await createConnection({ ...MARIADB, connectTimeout: 5000 });
  await admin.query(`create database \`${name}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
  await admin.end();
  return {
    name,
    async drop() {
      const c = await createConnection({ ...MARIADB, connectTimeout: 5000 });
      await c.query(`drop database if exists \`${name}\``);
      await c.end();
    },
  };
}

/** A connection for the test itself (KILL, inspecting raw rows…). */
export function adminConnection(database?: string) {
  return createConnection({ ...MARIADB, ...(database ? { database } : {}), connectTimeout: 5000 });
}

let secretsPromise: Promise<Secrets> | undefined;
export function testSecrets(): Promise<Secrets> {
  secretsPromise ??= createSecrets(generateSecretKey());
  return secretsPromise;
}

/** A store configuration under test. */
export interface StoreTarget {
  readonly name: "mariadb" | "sqlite-file" | "sqlite-memory";
  /** Opens a fresh, migrated, empty store. */
  open(): Promise<SqlStore>;
  /** Removes what `open` created (database, files). */
  cleanup(): Promise<void>;
}

export function mariadbTarget(): StoreTarget {
  const dbs: { drop(): Promise<void> }[] = [];
  return {
    name: "mariadb",
    async open() {
      const db = await createTestDatabase();
      dbs.push(db);
      return createSqlStore({ dialect: "mysql", ...MARIADB, database: db.name, migrate: true, poolSize: 8, secrets: await testSecrets() });
    },
    async cleanup() {
      await Promise.all(dbs.splice(0).map((d) => d.drop()));
    },
  };
}

export function sqliteFileTarget(): StoreTarget {
  const dirs: string[] = [];
  return {
    name: "sqlite-file",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "calipso-store-"));
      dirs.push(dir);
      return createSqlStore({ dialect: "sqlite", file: join(dir, "calipso.db"), secrets: await testSecrets() });
    },
    async cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function sqliteMemoryTarget(): StoreTarget {
  return {
    name: "sqlite-memory",
    open: async () => createSqlStore({ dialect: "sqlite", file: ":memory:", secrets: await testSecrets() }),
    cleanup: async () => {},
  };
}

const TABLES_CHILD_FIRST = ["favourites", "memberships", "sessions", "api_tokens", "quotas", "instances", "audit", "leases", "templates", "experiments", "users"] as const;

/** Deletes every row (children first), leaving the migrated schema: cheaper than a new database. */
export async function wipe(store: SqlStore): Promise<void> {
  for (const table of TABLES_CHILD_FIRST) await store.db.deleteFrom(table).execute();
}
