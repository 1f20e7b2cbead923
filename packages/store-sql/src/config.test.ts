/** @module Config schemas, URL handling, provider definitions and the generated docs table. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AppError, instantiate, isProviderDefinition } from "@calipso/core";
import { createTestContext } from "@calipso/sdk/testing";
import defaultDefinition, { MysqlConfigSchema, SqliteConfigSchema, mysqlStore, sqliteStore } from "./index.ts";
import { resolveMysqlConnection } from "./config.ts";
import { configTable } from "./config-table.ts";

describe("config", () => {
  it("[store-sql/config-01] URL parts take precedence over fields; fields fill what the URL leaves out", () => {
    const c = resolveMysqlConnection(MysqlConfigSchema.parse({ url: "mysql://app:p%40ss@db.example.org:3307/calipso_prod", host: "ignored", password: "field" }));
    expect(c).toEqual({ host: "db.example.org", port: 3307, user: "app", password: "p@ss", database: "calipso_prod" });
    const partial = resolveMysqlConnection(MysqlConfigSchema.parse({ url: "mariadb://db", password: "from-env" }));
    expect(partial).toEqual({ host: "db", port: 3306, user: "calipso", password: "from-env", database: "calipso" });
    expect(resolveMysqlConnection(MysqlConfigSchema.parse({}))).toMatchObject({ host: "127.0.0.1", port: 3306, database: "calipso" });
  });

  it("[store-sql/config-02] bad configs are INVALID_CONFIG naming the field, never echoing the password", async () => {
    const ctx = createTestContext();
    for (const [config, field] of [
      [{ url: "postgres://x:hunter2@h/db" }, "url"],
      [{ url: "mysql://x:hunter2@h/bad;name" }, "database"],
      [{ poolSize: 0 }, "poolSize"],
      [{ tls: { ca: 5 } }, "tls"],
      [{ nope: 1 }, "nope"],
    ] as const) {
      const error = await instantiate(mysqlStore, config, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(AppError.is(error, "INVALID_CONFIG"), `${JSON.stringify(config)}`).toBe(true);
      expect(`${(error as AppError).detail}`).toContain(field);
      expect(`${(error as AppError).detail} ${(error as AppError).message}`).not.toContain("hunter2");
    }
    const sqliteError = await instantiate(sqliteStore, { file: "/nonexistent-dir/x/calipso.db" }, ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(AppError.is(sqliteError, "PROVIDER_UNAVAILABLE")).toBe(true);
  });

  it("[store-sql/config-03] the definitions: mysql and sqlite, named exports, SQLite as the default export", () => {
    expect(isProviderDefinition(mysqlStore, "store")).toBe(true);
    expect(mysqlStore.name).toBe("mysql");
    expect(mysqlStore.capabilities).toEqual({ multiProcess: true, transactions: true });
    expect(sqliteStore.name).toBe("sqlite");
    expect(defaultDefinition).toBe(sqliteStore);
  });

  it("[store-sql/config-04] docs/providers/store-sql.md carries the tables generated from the schemas", () => {
    const doc = readFileSync(new URL("../../../docs/providers/store-sql.md", import.meta.url), "utf8");
    expect(doc, "regenerate with packages/store-sql/scripts/config-tables.ts").toContain(configTable(MysqlConfigSchema));
    expect(doc, "regenerate with packages/store-sql/scripts/config-tables.ts").toContain(configTable(SqliteConfigSchema));
  });
});
