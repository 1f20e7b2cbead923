/**
 * @module Atomicity across processes: two Node processes sharing one database fire admissions at
 * the same moment, and migrate the same fresh database at the same moment.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateSecretKey } from "@calipso/core";
import type { QuotaLimits } from "@calipso/core";
import { sql } from "kysely";
import { createSqlStore } from "./store.ts";
import type { SqlStoreOptions } from "./store.ts";
import { MIGRATION_TABLE } from "./migrations.ts";
import { MARIADB, createTestDatabase, mariadbGate } from "./testing/databases.ts";
import { startChildren } from "./testing/processes.ts";
import { user } from "./testing/fixtures.ts";

const gate = await mariadbGate();
const dir = mkdtempSync(join(tmpdir(), "calipso-mp-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(drops.map((d) => d()));
});
const secretKey = generateSecretKey();

const targets: { name: string; skip: boolean; note: string; perProcess: number; fresh(): Promise<SqlStoreOptions> }[] = [
  {
    name: "mariadb",
    ...gate,
    perProcess: 100,
    async fresh() {
      const db = await createTestDatabase();
      drops.push(() => db.drop());
      return { dialect: "mysql", ...MARIADB, database: db.name, poolSize: 10 };
    },
  },
  { name: "sqlite-file", skip: false, note: "", perProcess: 40, fresh: async () => ({ dialect: "sqlite", file: join(dir, `${crypto.randomUUID()}.db`) }) },
];

const unlimited: QuotaLimits = { instances: 10_000, cpu: 100_000, memoryMiB: 1_000_000_000, storageGiB: 1_000_000 };

for (const t of targets) {
  describe.skipIf(t.skip)(`[${t.name}] two processes, one database${t.note}`, () => {
    it(`[store-sql/multiprocess-01] two processes migrate one fresh database at once (each migration applied once), then fire ${2 * t.perProcess} simultaneous launches per user: the instance, CPU and memory limits hold`, async () => {
      const options = await t.fresh();
      const group = await startChildren(2, { store: options, secretKey });
      try {
        const migrated = (await group.step({ migrate: true })) as { outcome: string }[];
        expect(migrated.map((r) => r.outcome)).toEqual(["ok", "ok"]);
        const store = await createSqlStore({ ...options, migrate: false });
        const rows = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(store.db);
        expect(rows.rows.map((r) => r.name)).toEqual(["0001_initial"]);

        const [a, b, c] = [await user(store), await user(store), await user(store)];
        const batches = [
          { owner: a.id, count: t.perProcess, limits: { ...unlimited, instances: 5 }, resources: { cpu: 1, memoryMiB: 512 } },
          { owner: b.id, count: t.perProcess, limits: { ...unlimited, cpu: 4 }, resources: { cpu: 0.5, memoryMiB: 512 } },
          { owner: c.id, count: t.perProcess, limits: { ...unlimited, memoryMiB: 10_000 }, resources: { cpu: 0.1, memoryMiB: 1500 } },
        ];
        const results = (await group.step({ batches })) as { codes: Record<string, number>[] }[];
        const expected = [5, 8, 6];
        for (const [i, want] of expected.entries()) {
          const tallies = results.map((r) => r.codes[i]!);
          const admitted = tallies.reduce((n, x) => n + (x["admitted"] ?? 0), 0);
          const refused = tallies.reduce((n, x) => n + (x["QUOTA_EXCEEDED"] ?? 0), 0);
          expect({ batch: i, admitted, refused }).toEqual({ batch: i, admitted: want, refused: 2 * t.perProcess - want });
        }
        expect((await store.quotas.usage(a.id)).instances).toBe(5);
        expect((await store.quotas.usage(b.id)).cpu).toBe(4);
        expect((await store.quotas.usage(c.id)).memoryMiB).toBe(9000);
        await store.close();
      } finally {
        await group.exit();
      }
    }, 90_000);
  });
}
