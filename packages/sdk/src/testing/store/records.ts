/** @module Store suites `audit`, `leases`, `transactions` and `lifecycle`. */
import { describe, expect } from "vitest";
import { declared, randomSuffix } from "../shared/kit.ts";
import { rejection } from "../shared/errors.ts";
import type { StoreHarness } from "./harness.ts";
import { at, newInstance, newUser, limits, username } from "./harness.ts";

/** Registers the `audit` suite. */
export function auditSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("audit", () => {
    const store = h.useStore();
    const event = (actor: string, offsetSec: number, target = "instance:kit") => ({
      at: at(offsetSec),
      actor,
      action: "instance.launch",
      target,
      outcome: "success" as const,
      detail: { template: "kit", n: offsetSec, nested: { ok: true } },
    });
    kit.test("audit-01", "append returns the event with an id and keeps every field", async () => {
      const input = event(`kit-${randomSuffix()}`, 0);
      const stored = await store().audit.append(input);
      expect(stored.id.length).toBeGreaterThan(0);
      expect(stored).toMatchObject(input);
      const listed = await store().audit.list({ page: 1, pageSize: 10, actor: input.actor });
      expect(listed.items).toEqual([stored]);
    });
    kit.test("audit-02", "list returns an actor's events newest first", async () => {
      const actor = `kit-${randomSuffix()}`;
      for (const offset of [-30, -10, -20]) await store().audit.append(event(actor, offset));
      const listed = await store().audit.list({ page: 1, pageSize: 10, actor });
      expect(listed.items.map((e) => e.detail?.["n"])).toEqual([-10, -20, -30]);
    });
    kit.test("audit-03", "list filters by target and pages with a total", async () => {
      const actor = `kit-${randomSuffix()}`;
      const target = `instance:${randomSuffix()}`;
      for (const offset of [-4, -3, -2]) await store().audit.append(event(actor, offset, target));
      await store().audit.append(event(actor, -1, "instance:other"));
      const page = await store().audit.list({ page: 2, pageSize: 2, target });
      expect(page).toMatchObject({ total: 3, page: 2, pageSize: 2 });
      expect(page.items.map((e) => e.detail?.["n"])).toEqual([-4]);
    });
  });
}

/** Registers the `leases` suite. */
export function leasesSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("leases", () => {
    const store = h.useStore();
    const lease = () => `kit-${randomSuffix()}`;
    kit.test("leases-01", "a free lease is taken; a second holder is refused; the holder renews", async () => {
      const name = lease();
      const now = at();
      expect(await store().leases.acquire(name, "a", 60_000, now)).toBe(true);
      expect(await store().leases.acquire(name, "b", 60_000, now)).toBe(false);
      expect(await store().leases.acquire(name, "a", 60_000, now)).toBe(true);
    });
    kit.test("leases-02", "after release another holder takes it; a release by a non-holder does nothing", async () => {
      const name = lease();
      const now = at();
      await store().leases.acquire(name, "a", 60_000, now);
      await store().leases.release(name, "b");
      expect(await store().leases.acquire(name, "b", 60_000, now)).toBe(false);
      await store().leases.release(name, "a");
      expect(await store().leases.acquire(name, "b", 60_000, now)).toBe(true);
    });
    kit.test("leases-03", "an expired lease goes to the next holder", async () => {
      const name = lease();
      const now = at();
      await store().leases.acquire(name, "a", 10_000, now);
      expect(await store().leases.acquire(name, "b", 10_000, new Date(now.getTime() + 5_000))).toBe(false);
      expect(await store().leases.acquire(name, "b", 10_000, new Date(now.getTime() + 11_000))).toBe(true);
      expect(await store().leases.acquire(name, "a", 10_000, new Date(now.getTime() + 12_000))).toBe(false);
    });
    kit.test("leases-04", "of ten concurrent holders exactly one gets the lease", async () => {
      const name = lease();
      const now = at();
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store().leases.acquire(name, `h${i}`, 60_000, now)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}

/** Registers the `transactions` suite. */
export function transactionsSuite(h: StoreHarness): void {
  const { kit } = h;
  const has = declared(kit.definition.capabilities.transactions);
  describe("transactions", () => {
    const store = h.useStore();
    kit.test("transactions-01", "writes inside a transaction are visible after it commits, and its value is returned", async () => {
      const name = username();
      const value = await store().transaction(async (tx) => {
        const u = await tx.users.upsertFromIdentity({ username: name }, at());
        await tx.quotas.set(u.id, limits({ instances: 3 }));
        return u.id;
      });
      expect((await store().users.getByUsername(name))?.id).toBe(value);
      expect((await store().quotas.get(value))?.instances).toBe(3);
    });
    kit.testIf("transactions", has, "transactions-02", "a throw inside a transaction leaves nothing of its writes and is rethrown", async () => {
      const name = username();
      const boom = new Error("kit rollback");
      const owner = await newUser(store());
      const instance = newInstance(owner.id);
      const error = await rejection(
        store().transaction(async (tx) => {
          await tx.users.upsertFromIdentity({ username: name }, at());
          await tx.admitInstance(instance, limits());
          await tx.audit.append({ at: at(), actor: owner.id, action: "kit.rollback", target: `user:${name}`, outcome: "success" });
          throw boom;
        }),
      );
      expect(error).toBe(boom);
      expect(await store().users.getByUsername(name)).toBeNull();
      expect(await store().instances.get(instance.id)).toBeNull();
      expect((await store().audit.list({ page: 1, pageSize: 10, target: `user:${name}` })).total).toBe(0);
    });
  });
}

/** Registers the `lifecycle` suite of a store. */
export function storeLifecycleSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("lifecycle", () => {
    const store = h.useStore();
    kit.test("lifecycle-01", "ping resolves on a working store", async () => {
      await store().ping();
    });
  });
}
