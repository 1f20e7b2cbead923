/** @module Migrations and start-up checks: idempotent, concurrent-safe, newer databases refused. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "@calipso/core";
import { sql } from "kysely";
import { createSqlStore } from "./store.ts";
import type { SqlStoreOptions } from "./store.ts";
import { migrate } from "./migrate.ts";
import { MIGRATION_TABLE } from "./migrations.ts";
import { MARIADB, createTestDatabase, mariadbGate, testSecrets } from "./testing/databases.ts";

const gate = await mariadbGate();
const dir = mkdtempSync(join(tmpdir(), "calipso-migrate-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(drops.map((d) => d()));
});

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(AppError.is(e)).toBe(true);
  return e as AppError;
}

const configs: { name: string; skip: boolean; note: string; fresh(): Promise<SqlStoreOptions> }[] = [
  {
    name: "mariadb",
    ...gate,
    async fresh() {
      const db = await createTestDatabase();
      drops.push(() => db.drop());
      return { dialect: "mysql", ...MARIADB, database: db.name, secrets: await testSecrets() };
    },
  },
  {
    name: "sqlite-file",
    skip: false,
    note: "",
    fresh: async () => ({ dialect: "sqlite", file: join(dir, `${crypto.randomUUID()}.db`), secrets: await testSecrets() }),
  },
];

for (const c of configs) {
  describe.skipIf(c.skip)(`[${c.name}] migrations${c.note}`, () => {
    it("[store-sql/migrate-02] a store on a database that was never migrated refuses every call until migrate() ran", async () => {
      const options = await c.fresh();
      const unmigrated = await createSqlStore({ ...options, migrate: false });
      for (const call of [() => unmigrated.ping(), () => unmigrated.users.get("x"), () => unmigrated.transaction(async () => 1)]) {
        const e = await failure(call());
        expect(e.code).toBe("INVALID_CONFIG");
        expect(e.detail).toMatch(/pending migrations: 0001_initial.*calipso migrate/);
      }
      expect(await migrate(unmigrated)).toEqual({ applied: ["0001_initial"], current: ["0001_initial"] });
      await unmigrated.ping();
      expect(await unmigrated.users.get("x")).toBeNull();
      await unmigrated.close();
      const report = await migrate(options);
      expect(report).toEqual({ applied: [], current: ["0001_initial"] });
      const store = await createSqlStore({ ...options, migrate: false });
      await store.ping();
      await store.close();
    });

    it("[store-sql/migrate-03] migrating on start twice in a row is harmless", async () => {
      const options = await c.fresh();
      const first = await createSqlStore({ ...options, migrate: true });
      await first.close();
      const second = await createSqlStore({ ...options, migrate: true });
      const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(second.db);
      expect(rows.rows.map((r) => r.name)).toEqual(["0001_initial"]);
      await second.close();
    });

    it("[store-sql/migrate-04] a database migrated by a newer version is refused with a clear INVALID_CONFIG", async () => {
      const options = await c.fresh();
      const store = await createSqlStore({ ...options, migrate: true });
      await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values ('0099_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(store.db);
      const onStart = await failure(createSqlStore({ ...options, migrate: false }));
      expect(onStart.code).toBe("INVALID_CONFIG");
      expect(onStart.detail).toContain("newer version of Calipso");
      expect(onStart.detail).toContain("0099_from_the_future");
      expect(onStart.meta).toEqual({ unknownMigrations: ["0099_from_the_future"] });
      expect((await failure(createSqlStore({ ...options, migrate: true }))).code).toBe("INVALID_CONFIG");
      expect((await failure(store.migrate())).code).toBe("INVALID_CONFIG");
      await store.close();
    });
  });
}
