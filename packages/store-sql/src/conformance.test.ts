/** @module The core Store conformance suite (`@calipso/sdk/testing`) on MariaDB, a SQLite file and SQLite :memory:. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe } from "vitest";
import { instantiate } from "@calipso/core";
import { createTestContext, describeStore } from "@calipso/sdk/testing";
import { mysqlStore, sqliteStore } from "./providers.ts";
import { MARIADB, createTestDatabase, mariadbGate, wipe } from "./testing/databases.ts";
import type { SqlStore } from "./store.ts";

const gate = await mariadbGate();
const dir = mkdtempSync(join(tmpdir(), "calipso-kit-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(drops.map((d) => d()));
});

/** A database for the kit's `config` (definition and config areas); the other areas get their own. */
const configDb = gate.skip ? undefined : await createTestDatabase();
if (configDb) drops.push(() => configDb.drop());
const areaDb = gate.skip ? undefined : await createTestDatabase();
if (areaDb) drops.push(() => areaDb.drop());

describe.skipIf(gate.skip)(`[mariadb] Store conformance${gate.note}`, () => {
  describeStore({
    definition: mysqlStore,
    config: { ...MARIADB, database: configDb?.name ?? "unused", migrate: true, poolSize: 8 },
    invalidConfigs: [
      { config: { port: "3306" }, field: "port" },
      { config: { url: "http://db.example.org/calipso" }, field: "url" },
      { config: { tls: { rejectUnauthorized: "no" } }, field: "tls" },
      { config: { database: "calipso; drop database x" }, field: "database" },
    ],
    // One migrated database per run (migrating takes seconds on MariaDB); every area starts from
    // an emptied one, through a new store instance.
    create: async () => {
      const store = (await instantiate(mysqlStore, { ...MARIADB, database: areaDb!.name, migrate: true, poolSize: 8 }, createTestContext())) as SqlStore;
      await wipe(store);
      return store;
    },
  });
});

describe("[sqlite-file] Store conformance", () => {
  describeStore({
    definition: sqliteStore,
    config: { file: join(dir, "config.db") },
    invalidConfigs: [
      { config: { file: 42 }, field: "file" },
      { config: { busyTimeoutMs: -1 }, field: "busyTimeoutMs" },
    ],
    create: async () => instantiate(sqliteStore, { file: join(dir, `${crypto.randomUUID()}.db`) }, createTestContext()),
  });
});

describe("[sqlite-memory] Store conformance", () => {
  describeStore({
    definition: sqliteStore,
    config: { file: ":memory:" },
    invalidConfigs: [{ config: { wal: "yes" }, field: "wal" }],
  });
});
