import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore } from "@calipso/core/testing";
import { describe, expect, it } from "vitest";
import { importData, readImportFile } from "./import.ts";

describe("[server/import] importData", () => {
  it("upserts users with their roles, experiments with sessions and datasets, and memberships per source", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-import-"));
    const file = join(dir, "people.yaml");
    writeFileSync(
      file,
      `users: [{ username: zoe, roles: [user, admin], displayName: Zoe }]
experiments:
  - { proposalId: X1, title: One, sessions: [{ id: s1, datasets: [{ path: X1/s1 }] }] }
  - { proposalId: X2, title: Two }
memberships: [{ username: zoe, proposalId: X1 }, { username: yan, proposalId: X2 }]
`,
    );
    const store = createMemoryStore();
    const report = await importData(store, "uo", await readImportFile(file), new Date("2026-01-01T00:00:00Z"));
    expect(report).toEqual({ users: 1, experiments: 2, memberships: 2 });
    const zoe = (await store.users.getByUsername("zoe"))!;
    expect(zoe.roles.sort()).toEqual(["admin", "user"]);
    const yan = (await store.users.getByUsername("yan"))!;
    expect(yan).not.toBeNull();
    const q = { page: 1, pageSize: 10, sort: "title", order: "asc", favouritesOnly: false } as const;
    const zoes = await store.experiments.listForUser(zoe.id, q);
    expect(zoes.items.map((e) => [e.proposalId, e.source, e.sessions[0]?.datasets[0]?.path])).toEqual([["X1", "uo", "X1/s1"]]);
    expect((await store.experiments.listForUser(yan.id, q)).items.map((e) => e.proposalId)).toEqual(["X2"]);
  });
});
