/** @module Deadlock and lock-wait retry, and the classification of driver errors. */
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "@calipso/core";
import { MysqlConfigSchema, SqliteConfigSchema } from "./config.ts";
import { createMysql } from "./dialect.ts";
import { createSqlite } from "./sqlite.ts";
import { toStoreError } from "./errors.ts";
import { withRetry } from "./retry.ts";

// mysql2 pools connect lazily: nothing is opened here.
const mysql = createMysql(MysqlConfigSchema.parse({}));
const sqlite = createSqlite(SqliteConfigSchema.parse({ file: ":memory:" }));
afterAll(async () => {
  await mysql.db.destroy();
  await sqlite.db.destroy();
});

const driverError = (fields: object) => Object.assign(new Error("driver says: select * from secret_table where x = 'y'"), fields);

describe("retry and classification", () => {
  it("[store-sql/retry-01] a deadlock or lock-wait timeout is retried once, then surfaces as PROVIDER_UNAVAILABLE", async () => {
    for (const fields of [{ errno: 1213, code: "ER_LOCK_DEADLOCK" }, { errno: 1205, code: "ER_LOCK_WAIT_TIMEOUT" }]) {
      let calls = 0;
      expect(
        await withRetry(mysql.dialect, async () => {
          if (++calls === 1) throw driverError(fields);
          return "admitted";
        }),
      ).toBe("admitted");
      expect(calls).toBe(2);
      calls = 0;
      const error = await withRetry(mysql.dialect, async () => {
        calls++;
        throw toStoreError(driverError(fields), mysql.dialect.classify(driverError(fields)), "mysql");
      }).catch((e: unknown) => e);
      expect(calls).toBe(2);
      expect(AppError.is(error, "PROVIDER_UNAVAILABLE")).toBe(true);
      expect((error as AppError).detail).not.toContain("secret_table");
    }
  });

  it("[store-sql/retry-02] other errors are not retried", async () => {
    let calls = 0;
    await expect(
      withRetry(mysql.dialect, async () => {
        calls++;
        throw driverError({ errno: 1062, code: "ER_DUP_ENTRY" });
      }),
    ).rejects.toThrow();
    expect(calls).toBe(1);
  });

  it("[store-sql/retry-03] driver errors map to catalogue codes without SQL text", () => {
    const cases: [ReturnType<typeof mysql.dialect.classify>, object, string][] = [
      ["unavailable", { code: "PROTOCOL_CONNECTION_LOST", fatal: true }, "PROVIDER_UNAVAILABLE"],
      ["unavailable", { code: "ECONNRESET" }, "PROVIDER_UNAVAILABLE"],
      ["unavailable", { code: "ECONNREFUSED" }, "PROVIDER_UNAVAILABLE"],
      ["unavailable", { errno: 2006 }, "PROVIDER_UNAVAILABLE"],
      ["unavailable", { errno: 1927, code: "ER_CONNECTION_KILLED" }, "PROVIDER_UNAVAILABLE"],
      ["duplicate", { errno: 1062 }, "CONFLICT"],
      ["missing-reference", { errno: 1452 }, "NOT_FOUND"],
      ["other", { errno: 1064, code: "ER_PARSE_ERROR" }, "PROVIDER_ERROR"],
    ];
    for (const [kind, fields, code] of cases) {
      expect(mysql.dialect.classify(driverError(fields)), JSON.stringify(fields)).toBe(kind);
      const e = toStoreError(driverError(fields), kind, "mysql");
      expect(e.code).toBe(code);
      expect(`${e.detail} ${e.message}`).not.toMatch(/select|secret_table/);
    }
    expect(sqlite.dialect.classify(driverError({ code: "SQLITE_BUSY" }))).toBe("retry");
    expect(sqlite.dialect.classify(driverError({ code: "SQLITE_CONSTRAINT_UNIQUE" }))).toBe("duplicate");
    expect(sqlite.dialect.classify(driverError({ code: "SQLITE_CONSTRAINT_FOREIGNKEY" }))).toBe("missing-reference");
    expect(sqlite.dialect.classify(driverError({ code: "SQLITE_ERROR" }))).toBe("other");
  });
});
