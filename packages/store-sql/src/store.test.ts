/** @module The store's own behaviour tests, on MariaDB, a SQLite file and SQLite :memory:. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, createId, hashToken } from "@calipso/core";
import type { Template } from "@calipso/core";
import type { SqlStore } from "./store.ts";
import { LIMITS, experiment, instanceFor, user } from "./testing/fixtures.ts";
import { mariadbGate, mariadbTarget, sqliteFileTarget, sqliteMemoryTarget } from "./testing/databases.ts";
import type { StoreTarget } from "./testing/databases.ts";

const gate = await mariadbGate();
const targets: { target: StoreTarget; skip: boolean; note: string }[] = [
  { target: mariadbTarget(), ...gate },
  { target: sqliteFileTarget(), skip: false, note: "" },
  { target: sqliteMemoryTarget(), skip: false, note: "" },
];

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (error) {
    expect(AppError.is(error)).toBe(true);
    return (error as AppError).code;
  }
}

const template: Template = {
  name: "desktop",
  title: "Desktop",
  kind: "desktop",
  backend: "default",
  image: "calipso/desktop:1",
  protocol: "vnc",
  port: 5901,
  resources: { cpu: 1, memoryMiB: 1024 },
  readiness: { tcp: true },
  timeoutSec: 120,
  secret: { env: "CALIPSO_DESKTOP_PASSWORD" },
  allowRoot: false,
  capabilities: [],
};

for (const { target, skip, note } of targets) {
  describe.skipIf(skip)(`[${target.name}] SQL store${note}`, () => {
    let store: SqlStore;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(async () => {
      await store?.close();
      await target.cleanup();
    });

    it("[store-sql/users-01] creates a user on first login, updates name and e-mail, roles only grow", async () => {
      const now = new Date(Date.UTC(2026, 1, 2, 3, 4, 5, 678));
      const a = await store.users.upsertFromIdentity({ username: "alice", displayName: "Alice", roles: ["admin"] }, now);
      expect(a).toMatchObject({ username: "alice", displayName: "Alice", roles: ["user", "admin"], mayUseOwnResources: false });
      expect(a.createdAt.getTime()).toBe(now.getTime());
      const b = await store.users.upsertFromIdentity({ username: "alice", displayName: "Alice B", email: "a@x.org", roles: ["user"] }, new Date());
      expect(b).toMatchObject({ id: a.id, displayName: "Alice B", email: "a@x.org", roles: ["user", "admin"] });
      expect(await store.users.getByUsername("alice")).toEqual(b);
      const c = await store.users.update(a.id, { roles: ["user"], mayUseOwnResources: true });
      expect(c).toMatchObject({ roles: ["user"], mayUseOwnResources: true });
      expect(await code(store.users.update("nope", { displayName: "x" }))).toBe("NOT_FOUND");
    });

    it("[store-sql/users-02] concurrent first logins of one username create exactly one user", async () => {
      const users = await Promise.all(Array.from({ length: 20 }, () => store.users.upsertFromIdentity({ username: "racer" }, new Date())));
      expect(new Set(users.map((u) => u.id)).size).toBe(1);
      const page = await store.users.list({ page: 1, pageSize: 50, search: "racer" });
      expect(page.total).toBe(1);
    });

    it("[store-sql/users-03] user search treats % _ ' \\ as text, and odd pages are clamped", async () => {
      await store.users.upsertFromIdentity({ username: "under_score", displayName: "100% real 'quoted' back\\slash" }, new Date());
      await store.users.upsertFromIdentity({ username: "underXscore" }, new Date());
      expect((await store.users.list({ page: 1, pageSize: 10, search: "under_" })).items.map((u) => u.username)).toEqual(["under_score"]);
      expect((await store.users.list({ page: 1, pageSize: 10, search: "100%" })).total).toBe(1);
      expect((await store.users.list({ page: 1, pageSize: 10, search: "'quoted'" })).total).toBe(1);
      expect((await store.users.list({ page: 1, pageSize: 10, search: "back\\slash" })).total).toBe(1);
      expect((await store.users.list({ page: 1, pageSize: 10, search: "%" })).total).toBe(1);
      expect((await store.users.list({ page: 1, pageSize: 10, search: "x".repeat(10_000) })).total).toBe(0);
      for (const page of [0, -1, 1e12, Number.NaN]) {
        const p = await store.users.list({ page, pageSize: 10 });
        expect(p.page).toBeGreaterThanOrEqual(1);
        expect(p.page).toBeLessThanOrEqual(1_000_000);
      }
    });

    it("[store-sql/sessions-01] sessions: hash is unique, touch slides, expired ones are deleted", async () => {
      const u = await user(store);
      const hash = hashToken(createId());
      const t0 = new Date(Date.UTC(2026, 0, 1));
      await store.sessions.create({ tokenHash: hash, userId: u.id, createdAt: t0, expiresAt: new Date(t0.getTime() + 1000) });
      expect(await code(store.sessions.create({ tokenHash: hash, userId: u.id, createdAt: t0, expiresAt: t0 }))).toBe("CONFLICT");
      await store.sessions.touch(hash, new Date(t0.getTime() + 5000));
      expect((await store.sessions.get(hash))?.expiresAt.getTime()).toBe(t0.getTime() + 5000);
      expect(await store.sessions.deleteExpired(new Date(t0.getTime() + 4000))).toBe(0);
      expect(await store.sessions.deleteExpired(new Date(t0.getTime() + 6000))).toBeGreaterThanOrEqual(1);
      expect(await store.sessions.get(hash)).toBeNull();
      const h2 = hashToken(createId());
      await store.sessions.create({ tokenHash: h2, userId: u.id, createdAt: t0, expiresAt: new Date(Date.UTC(2030, 0, 1)) });
      await store.sessions.deleteForUser(u.id);
      expect(await store.sessions.get(h2)).toBeNull();
      expect(await code(store.sessions.create({ tokenHash: hashToken("x"), userId: "no-such-user", createdAt: t0, expiresAt: t0 }))).toBe("NOT_FOUND");
    });

    it("[store-sql/tokens-01] API tokens: unique hash, per-user delete, touch", async () => {
      const u = await user(store);
      const other = await user(store);
      const rec = { id: createId(), userId: u.id, name: "ci", tokenHash: hashToken(createId()), scopes: ["read" as const], createdAt: new Date(Date.UTC(2026, 0, 1)) };
      await store.apiTokens.create(rec);
      expect(await code(store.apiTokens.create({ ...rec, id: createId() }))).toBe("CONFLICT");
      expect(await store.apiTokens.getByHash(rec.tokenHash)).toEqual(rec);
      await store.apiTokens.touch(rec.id, new Date(Date.UTC(2026, 0, 2)));
      expect((await store.apiTokens.listForUser(u.id))[0]?.lastUsedAt?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
      expect(await store.apiTokens.delete(other.id, rec.id)).toBe(false);
      expect(await store.apiTokens.delete(u.id, rec.id)).toBe(true);
      expect(await store.apiTokens.getByHash(rec.tokenHash)).toBeNull();
    });

    it("[store-sql/experiments-01] syncForUser upserts by (source, proposalId) and replaces the user's memberships", async () => {
      const u = await user(store);
      const first = await store.experiments.syncForUser(u.id, "uo", [experiment(1), experiment(2), experiment(3)], new Date(Date.UTC(2026, 0, 1)));
      expect(first.map((e) => e.proposalId)).toEqual(["P-00001", "P-00002", "P-00003"]);
      expect(first[0]).toMatchObject({ source: "uo", title: "Experiment 1", beamline: "BL1" });
      expect(first[0]?.sessions[0]?.startsAt?.toISOString()).toBe("2025-01-02T00:00:00.000Z");
      const second = await store.experiments.syncForUser(u.id, "uo", [experiment(2, { title: "Renamed" }), experiment(4)], new Date(Date.UTC(2026, 0, 2)));
      expect(second.find((e) => e.proposalId === "P-00002")).toMatchObject({ id: first[1]!.id, title: "Renamed" });
      expect(await store.experiments.isMember(u.id, first[0]!.id)).toBe(false);
      expect(await store.experiments.isMember(u.id, first[1]!.id)).toBe(true);
      expect((await store.users.get(u.id))?.experimentsSyncedAt?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
      expect(await store.experiments.getByProposal("uo", "P-00001")).toMatchObject({ id: first[0]!.id });
      expect(await store.experiments.getByProposal("other", "P-00001")).toBeNull();
      expect(await code(store.experiments.syncForUser("no-such-user", "uo", [], new Date()))).toBe("NOT_FOUND");
    });

    it("[store-sql/experiments-02] concurrent syncs of overlapping experiments never duplicate (source, proposalId)", async () => {
      const users = await Promise.all(Array.from({ length: 8 }, () => user(store)));
      const list = Array.from({ length: 30 }, (_, i) => experiment(100 + i));
      await Promise.all(users.flatMap((u, i) => [store.experiments.syncForUser(u.id, "race", i % 2 ? list : [...list].reverse(), new Date()), store.experiments.upsert("race", list[i]!)]));
      const ids = new Set<string>();
      for (const e of list) ids.add((await store.experiments.getByProposal("race", e.proposalId))!.id);
      expect(ids.size).toBe(30);
      for (const u of users) expect((await store.experiments.listForUser(u.id, { page: 1, pageSize: 200, sort: "proposalId", order: "asc", favouritesOnly: false })).total).toBe(30);
    });

    it("[store-sql/experiments-03] listing: search, sort whitelist, favourites of this user only, paging", async () => {
      const u = await user(store);
      const other = await user(store);
      const exps = [
        experiment(201, { title: "Alpha 100% pure", beamline: "XALOC" }),
        experiment(202, { title: "under_score", beamline: "BOREAS" }),
        experiment(203, { title: "underXscore", beamline: "MSPD" }),
        experiment(204, { title: "O'Brien \\ backslash", beamline: "NOTOS" }),
      ];
      const stored = await store.experiments.syncForUser(u.id, "lst", exps, new Date());
      await store.experiments.syncForUser(other.id, "lst", exps, new Date());
      await store.experiments.setFavourite(u.id, stored[1]!.id, true);
      await store.experiments.setFavourite(u.id, stored[1]!.id, true);
      await store.experiments.setFavourite(other.id, stored[2]!.id, true);
      const q = { page: 1, pageSize: 20, sort: "beamline" as const, order: "desc" as const, favouritesOnly: false };
      expect((await store.experiments.listForUser(u.id, q)).items.map((e) => e.beamline)).toEqual(["XALOC", "NOTOS", "MSPD", "BOREAS"]);
      const favs = await store.experiments.listForUser(u.id, { ...q, favouritesOnly: true });
      expect(favs.items.map((e) => [e.proposalId, e.favourite])).toEqual([["P-00202", true]]);
      expect((await store.experiments.listForUser(u.id, { ...q, search: "under_" })).items.map((e) => e.title)).toEqual(["under_score"]);
      expect((await store.experiments.listForUser(u.id, { ...q, search: "100%" })).total).toBe(1);
      expect((await store.experiments.listForUser(u.id, { ...q, search: "O'Brien \\" })).total).toBe(1);
      expect((await store.experiments.listForUser(u.id, { ...q, search: "xaloc" })).total).toBe(1);
      expect((await store.experiments.listForUser(u.id, { ...q, search: "%" })).total).toBe(1);
      const p2 = await store.experiments.listForUser(u.id, { ...q, sort: "proposalId", order: "asc", pageSize: 3, page: 2 });
      expect(p2).toMatchObject({ total: 4, page: 2, pageSize: 3 });
      expect(p2.items.map((e) => e.proposalId)).toEqual(["P-00204"]);
      expect(await store.experiments.listForUser(u.id, { ...q, page: 1_000_000 })).toMatchObject({ items: [], total: 4 });
      await store.experiments.setFavourite(u.id, stored[1]!.id, false);
      expect((await store.experiments.listForUser(u.id, { ...q, favouritesOnly: true })).total).toBe(0);
      expect(await code(store.experiments.setFavourite(u.id, "no-such-experiment", true))).toBe("NOT_FOUND");
    });

    it("[store-sql/experiments-04] bad listing input gives VALIDATION_FAILED, never a SQL error", async () => {
      const u = await user(store);
      const base = { page: 1, pageSize: 20, sort: "startsAt", order: "desc", favouritesOnly: false };
      const bad: Record<string, unknown>[] = [
        { ...base, page: 0 },
        { ...base, page: -1 },
        { ...base, page: 1e12 },
        { ...base, pageSize: 0 },
        { ...base, sort: "title; drop table users" },
        { ...base, sort: "id" },
        { ...base, order: "sideways" },
        { ...base, search: "x".repeat(10_000) },
      ];
      for (const query of bad) {
        const error = await store.experiments.listForUser(u.id, query as never).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(AppError.is(error, "VALIDATION_FAILED")).toBe(true);
        expect((error as AppError).detail).not.toMatch(/select|from|where/i);
      }
      expect((await store.users.get(u.id))?.id).toBe(u.id);
    });

    it("[store-sql/templates-01] templates round-trip as documents", async () => {
      await store.templates.put(template);
      await store.templates.put({ ...template, title: "Desktop 2" });
      expect(await store.templates.get("desktop")).toEqual({ ...template, title: "Desktop 2" });
      expect((await store.templates.list()).map((t) => t.name)).toContain("desktop");
      expect(await store.templates.delete("desktop")).toBe(true);
      expect(await store.templates.delete("desktop")).toBe(false);
      expect(await store.templates.get("desktop")).toBeNull();
    });

    it("[store-sql/instances-01] admission stores the instance with its secret encrypted at rest", async () => {
      const u = await user(store);
      const inst = instanceFor(u.id, { cpu: 0.5, memoryMiB: 512, storageGiB: 2 }, { secret: "s3cret-desktop-pw", experimentId: "e1", sessionId: "s1" });
      await store.admitInstance(inst, LIMITS);
      expect(await store.instances.get(inst.id)).toEqual(inst);
      const raw = await store.db.selectFrom("instances").select("secret").where("id", "=", inst.id).executeTakeFirstOrThrow();
      expect(raw.secret).not.toContain("s3cret");
      expect(raw.secret).toMatch(/^v1\./);
      expect(await store.quotas.usage(u.id)).toEqual({ instances: 1, cpu: 0.5, memoryMiB: 512, storageGiB: 2 });
      expect(await code(store.admitInstance(instanceFor("no-such-user"), LIMITS))).toBe("NOT_FOUND");
    });

    it("[store-sql/instances-02] update is a compare-and-set: null on a state mismatch, NOT_FOUND for unknown ids", async () => {
      const u = await user(store);
      const inst = instanceFor(u.id);
      await store.admitInstance(inst, LIMITS);
      const endpoint = { host: "10.0.0.2", port: 5901, protocol: "vnc" as const };
      const compute = { backend: "docker", id: "c1", state: { container: "abc", labels: { a: "b" } } };
      const started = await store.instances.update(inst.id, ["pending"], { state: "starting", compute });
      expect(started).toMatchObject({ state: "starting", compute });
      expect(await store.instances.update(inst.id, ["pending"], { state: "failed" })).toBeNull();
      const running = await store.instances.update(inst.id, ["starting"], { state: "running", endpoint, startedAt: new Date(Date.UTC(2026, 0, 1, 13)) });
      expect(running?.endpoint).toEqual(endpoint);
      expect(running?.startedAt?.toISOString()).toBe("2026-01-01T13:00:00.000Z");
      const racers = await Promise.all(Array.from({ length: 10 }, () => store.instances.update(inst.id, ["running"], { state: "terminating" })));
      expect(racers.filter((r) => r !== null)).toHaveLength(1);
      expect(await store.instances.update(inst.id, [], { state: "failed" })).toBeNull();
      expect(await code(store.instances.update("no-such-instance", ["pending"], { state: "failed" }))).toBe("NOT_FOUND");
      const listed = await store.instances.list({ owner: u.id, states: ["terminating"] });
      expect(listed.items.map((i) => i.id)).toEqual([inst.id]);
      expect((await store.instances.list({ owner: u.id, states: ["running"] })).total).toBe(0);
      expect(await store.quotas.usage(u.id)).toMatchObject({ instances: 1 });
      await store.instances.update(inst.id, ["terminating"], { state: "terminated", endedAt: new Date() });
      expect(await store.quotas.usage(u.id)).toEqual({ instances: 0, cpu: 0, memoryMiB: 0, storageGiB: 0 });
    });

    it("[store-sql/quota-01] 40 concurrent admissions in one process with an instance quota of 5 admit exactly 5", async () => {
      const u = await user(store);
      const results = await Promise.allSettled(Array.from({ length: 40 }, () => store.admitInstance(instanceFor(u.id), LIMITS)));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(rejected.every((r) => AppError.is(r.reason, "QUOTA_EXCEEDED"))).toBe(true);
      expect((rejected[0]!.reason as AppError).meta).toMatchObject({ limit: "instances", max: 5, used: 5, requested: 1 });
      expect((await store.instances.list({ owner: u.id })).total).toBe(5);
    });

    it("[store-sql/quota-02] CPU and memory limits hold under concurrency too", async () => {
      const u = await user(store);
      const cpu = await Promise.allSettled(Array.from({ length: 30 }, () => store.admitInstance(instanceFor(u.id, { cpu: 1.5, memoryMiB: 10 }), { ...LIMITS, instances: 100, cpu: 6 })));
      expect(cpu.filter((r) => r.status === "fulfilled")).toHaveLength(4);
      const v = await user(store);
      const mem = await Promise.allSettled(Array.from({ length: 30 }, () => store.admitInstance(instanceFor(v.id, { cpu: 0.1, memoryMiB: 3000 }), { ...LIMITS, instances: 100, memoryMiB: 10_000 })));
      expect(mem.filter((r) => r.status === "fulfilled")).toHaveLength(3);
      const err = mem.find((r): r is PromiseRejectedResult => r.status === "rejected")!.reason as AppError;
      expect(err.code).toBe("QUOTA_EXCEEDED");
      expect(err.meta).toMatchObject({ limit: "memoryMiB", max: 10_000 });
    });

    it("[store-sql/quota-03] quota overrides: set, replace, clear", async () => {
      const u = await user(store);
      expect(await store.quotas.get(u.id)).toBeNull();
      await store.quotas.set(u.id, { instances: 2, cpu: 1.5, memoryMiB: 2048, storageGiB: 10 });
      await store.quotas.set(u.id, { instances: 3, cpu: 2.5, memoryMiB: 4096, storageGiB: 20 });
      expect(await store.quotas.get(u.id)).toEqual({ instances: 3, cpu: 2.5, memoryMiB: 4096, storageGiB: 20 });
      await store.quotas.set(u.id, null);
      expect(await store.quotas.get(u.id)).toBeNull();
    });

    it("[store-sql/audit-01] audit events are listed newest first, filtered by actor and target", async () => {
      const actor = `actor-${createId()}`;
      for (let i = 0; i < 5; i++) {
        await store.audit.append({ at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), actor, action: "instance.launch", target: `instance:${i % 2}`, outcome: "success", detail: { i, nested: { ok: true } } });
      }
      const page = await store.audit.list({ page: 1, pageSize: 2, actor });
      expect(page.total).toBe(5);
      expect(page.items.map((e) => e.detail?.["i"])).toEqual([4, 3]);
      expect((await store.audit.list({ page: 1, pageSize: 10, actor, target: "instance:1" })).total).toBe(2);
    });

    it("[store-sql/leases-01] a lease has one holder until it expires or is released", async () => {
      const t = new Date(Date.UTC(2026, 0, 1));
      const at = (ms: number) => new Date(t.getTime() + ms);
      const name = `reap-${createId()}`;
      expect(await store.leases.acquire(name, "a", 1000, t)).toBe(true);
      expect(await store.leases.acquire(name, "b", 1000, at(10))).toBe(false);
      expect(await store.leases.acquire(name, "a", 1000, at(500))).toBe(true);
      expect(await store.leases.acquire(name, "b", 1000, at(1400))).toBe(false);
      expect(await store.leases.acquire(name, "b", 1000, at(1600))).toBe(true);
      await store.leases.release(name, "a");
      expect(await store.leases.acquire(name, "a", 1000, at(1700))).toBe(false);
      await store.leases.release(name, "b");
      expect(await store.leases.acquire(name, "a", 1000, at(1800))).toBe(true);
      const contenders = await Promise.all(["x", "y", "z", "w"].map((h) => store.leases.acquire(`${name}-race`, h, 1000, t)));
      expect(contenders.filter(Boolean)).toHaveLength(1);
    });

    it("[store-sql/tx-01] a failed transaction leaves nothing behind; calls on the store inside it join it", async () => {
      const u = await user(store);
      const boom = new Error("boom");
      await expect(
        store.transaction(async (tx) => {
          await tx.templates.put({ ...template, name: "tx-a" });
          await store.templates.put({ ...template, name: "tx-b" }); // the outer store joins the transaction
          expect(await tx.templates.get("tx-b")).not.toBeNull();
          await tx.admitInstance(instanceFor(u.id), LIMITS);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await store.templates.get("tx-a")).toBeNull();
      expect(await store.templates.get("tx-b")).toBeNull();
      expect((await store.instances.list({ owner: u.id })).total).toBe(0);
      const ok = await store.transaction(async (tx) => {
        await tx.templates.put({ ...template, name: "tx-c" });
        return tx.transaction(async (inner) => inner.templates.get("tx-c"));
      });
      expect(ok?.name).toBe("tx-c");
      await store.ping();
    });

    it("[store-sql/migrate-01] migrating again is harmless", async () => {
      expect(await store.migrate()).toEqual({ applied: [], current: ["0001_initial"] });
      await store.checkSchema();
    });
  });
}
