import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import type { Instance } from "../domain/instance.ts";
import type { SourceExperiment } from "../domain/experiment.ts";
import { ExperimentQuerySchema } from "../domain/experiment.ts";
import { createMemoryStore, memoryStore } from "./memory-store.ts";
import { instantiate, isProviderDefinition } from "../provider.ts";
import { testContext } from "./context.ts";

const now = new Date("2026-01-01T00:00:00Z");

function instance(owner: string, id: string, cpu = 1, memoryMiB = 1024): Instance {
  return { id, owner, template: "t", state: "pending", resources: { cpu, memoryMiB }, createdAt: now };
}

function exp(proposalId: string, title: string, startsAt?: string, beamline?: string): SourceExperiment {
  return { proposalId, title, ...(beamline ? { beamline } : {}), sessions: startsAt ? [{ id: "s1", startsAt: new Date(startsAt), datasets: [] }] : [] };
}

describe("memory store", () => {
  it("admits concurrent instances atomically up to the limit", async () => {
    const store = createMemoryStore();
    const limits = { instances: 3, cpu: 100, memoryMiB: 100_000, storageGiB: 100 };
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.admitInstance(instance("u1", `i${i}`), limits)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused).toHaveLength(47);
    for (const r of refused) expect(AppError.is(r.reason, "QUOTA_EXCEEDED")).toBe(true);
    expect((await store.quotas.usage("u1")).instances).toBe(3);
    // Another user is not affected by u1's usage.
    await expect(store.admitInstance(instance("u2", "x"), limits)).resolves.toMatchObject({ state: "pending" });
  });

  it("names the exceeded limit and frees quota when an instance ends", async () => {
    const store = createMemoryStore();
    const limits = { instances: 10, cpu: 2, memoryMiB: 100_000, storageGiB: 100 };
    await store.admitInstance(instance("u", "a", 2), limits);
    const error = await store.admitInstance(instance("u", "b", 1), limits).catch((e: unknown) => e);
    expect(AppError.is(error, "QUOTA_EXCEEDED") && error.meta?.["limit"]).toBe("cpu");
    await store.instances.update("a", ["pending"], { state: "failed", stateReason: "x" });
    await expect(store.admitInstance(instance("u", "b", 1), limits)).resolves.toBeTruthy();
  });

  it("rolls back every write of a transaction that throws", async () => {
    const store = createMemoryStore();
    const user = await store.users.upsertFromIdentity({ username: "alice" }, now);
    const before = store.counts();
    await expect(
      store.transaction(async (tx) => {
        await tx.users.update(user.id, { roles: ["admin"] });
        await tx.quotas.set(user.id, { instances: 1, cpu: 1, memoryMiB: 1, storageGiB: 1 });
        await tx.audit.append({ at: now, actor: user.id, action: "x", target: "y", outcome: "success" });
        await tx.admitInstance(instance(user.id, "i1"), { instances: 5, cpu: 5, memoryMiB: 99999, storageGiB: 5 });
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(store.counts()).toEqual(before);
    expect((await store.users.get(user.id))?.roles).toEqual(["user"]);
    // A transaction that completes keeps its writes.
    await store.transaction(async (tx) => tx.quotas.set(user.id, { instances: 1, cpu: 1, memoryMiB: 1, storageGiB: 1 }));
    expect(await store.quotas.get(user.id)).toEqual({ instances: 1, cpu: 1, memoryMiB: 1, storageGiB: 1 });
  });

  it("keeps favourites per user: another member's favourite is not mine (seed bug B8)", async () => {
    const store = createMemoryStore();
    const a = await store.users.upsertFromIdentity({ username: "a" }, now);
    const b = await store.users.upsertFromIdentity({ username: "b" }, now);
    const [e1, e2] = await store.experiments.syncForUser(a.id, "src", [exp("P1", "One"), exp("P2", "Two")], now);
    await store.experiments.syncForUser(b.id, "src", [exp("P1", "One"), exp("P2", "Two")], now);
    await store.experiments.setFavourite(b.id, e1!.id, true);
    const mine = await store.experiments.listForUser(a.id, ExperimentQuerySchema.parse({ favouritesOnly: true }));
    expect(mine.total).toBe(0);
    const theirs = await store.experiments.listForUser(b.id, ExperimentQuerySchema.parse({ favouritesOnly: true }));
    expect(theirs.items.map((e) => e.proposalId)).toEqual(["P1"]);
    const all = await store.experiments.listForUser(a.id, ExperimentQuerySchema.parse({}));
    expect(all.total).toBe(2);
    expect(all.items.every((e) => !e.favourite)).toBe(true);
    expect(e2).toBeTruthy();
  });

  it("syncs memberships without duplicating experiments, and drops memberships that are gone", async () => {
    const store = createMemoryStore();
    const a = await store.users.upsertFromIdentity({ username: "a" }, now);
    const first = await store.experiments.syncForUser(a.id, "src", [exp("P1", "One"), exp("P2", "Two")], now);
    const second = await store.experiments.syncForUser(a.id, "src", [exp("P1", "One v2")], now);
    expect(second[0]!.id).toBe(first[0]!.id);
    expect(await store.experiments.isMember(a.id, first[1]!.id)).toBe(false);
    expect((await store.experiments.get(first[0]!.id))?.title).toBe("One v2");
    expect((await store.users.get(a.id))?.experimentsSyncedAt).toEqual(now);
    await expect(store.experiments.setFavourite(a.id, first[1]!.id, true)).rejects.toSatisfy((e) => AppError.is(e, "NOT_FOUND"));
  });

  it("searches, sorts and pages experiments", async () => {
    const store = createMemoryStore();
    const a = await store.users.upsertFromIdentity({ username: "a" }, now);
    await store.experiments.syncForUser(
      a.id,
      "src",
      [exp("P1", "Alpha", "2025-01-01T00:00:00Z", "BL1"), exp("P2", "Beta", "2025-03-01T00:00:00Z", "BL2"), exp("P3", "Gamma alpha", "2025-02-01T00:00:00Z", "BL1"), exp("P4", "Delta")],
      now,
    );
    const byDate = await store.experiments.listForUser(a.id, ExperimentQuerySchema.parse({}));
    expect(byDate.items.map((e) => e.proposalId)).toEqual(["P2", "P3", "P1", "P4"]);
    const search = await store.experiments.listForUser(a.id, ExperimentQuerySchema.parse({ search: "ALPHA", sort: "title", order: "asc" }));
    expect(search.items.map((e) => e.proposalId)).toEqual(["P1", "P3"]);
    const paged = await store.experiments.listForUser(a.id, ExperimentQuerySchema.parse({ sort: "proposalId", order: "asc", page: 2, pageSize: 3 }));
    expect(paged).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(paged.items.map((e) => e.proposalId)).toEqual(["P4"]);
  });

  it("grants a lease to one holder at a time until it expires or is released", async () => {
    const store = createMemoryStore();
    expect(await store.leases.acquire("reconcile", "h1", 1000, now)).toBe(true);
    expect(await store.leases.acquire("reconcile", "h2", 1000, now)).toBe(false);
    expect(await store.leases.acquire("reconcile", "h1", 1000, now)).toBe(true);
    expect(await store.leases.acquire("reconcile", "h2", 1000, new Date(now.getTime() + 1001))).toBe(true);
    await store.leases.release("reconcile", "h1");
    expect(await store.leases.acquire("reconcile", "h1", 1000, now)).toBe(false);
    await store.leases.release("reconcile", "h2");
    expect(await store.leases.acquire("reconcile", "h1", 1000, now)).toBe(true);
  });

  it("updates instances by compare-and-set and refuses unknown ids", async () => {
    const store = createMemoryStore();
    await store.admitInstance(instance("u", "i"), { instances: 1, cpu: 1, memoryMiB: 1024, storageGiB: 0 });
    expect(await store.instances.update("i", ["running"], { state: "terminating" })).toBeNull();
    expect(await store.instances.update("i", ["pending"], { state: "starting" })).toMatchObject({ state: "starting" });
    await expect(store.instances.update("nope", ["pending"], { state: "starting" })).rejects.toSatisfy((e) => AppError.is(e, "NOT_FOUND"));
  });

  it("returns copies, so callers cannot change stored state", async () => {
    const store = createMemoryStore();
    const u = await store.users.upsertFromIdentity({ username: "a" }, now);
    u.roles.push("admin");
    expect((await store.users.get(u.id))?.roles).toEqual(["user"]);
  });

  it("only grows roles from an identity hint, and refuses use after close", async () => {
    const store = createMemoryStore();
    const u = await store.users.upsertFromIdentity({ username: "a", roles: ["admin"] }, now);
    expect(u.roles).toEqual(["user", "admin"]);
    expect((await store.users.upsertFromIdentity({ username: "a", roles: [] }, now)).roles).toEqual(["user", "admin"]);
    await store.close();
    await expect(store.ping()).rejects.toSatisfy((e) => AppError.is(e, "PROVIDER_UNAVAILABLE"));
  });

  it("is a store provider definition with a strict config", async () => {
    expect(isProviderDefinition(memoryStore, "store")).toBe(true);
    const store = await instantiate(memoryStore, {}, testContext());
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(instantiate(memoryStore, { bogus: 1 }, testContext())).rejects.toSatisfy((e) => AppError.is(e, "INVALID_CONFIG"));
  });
});
