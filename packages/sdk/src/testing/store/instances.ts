/** @module Store suites `templates`, `instances`, `admission` and `quotas`: compare-and-set and atomic quota admission. */
import { describe, expect } from "vitest";
import type { Instance, Store } from "@calipso/core";
import { errorText, expectRejectsWith } from "../shared/errors.ts";
import type { StoreHarness } from "./harness.ts";
import { at, limits, newInstance, newUser, tally, template } from "./harness.ts";

/** Registers the `templates` suite. */
export function templatesSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("templates", () => {
    const store = h.useStore();
    kit.test("templates-01", "put then get returns the same template, every field kept", async () => {
      const t = template(undefined, {
        description: "For the kit",
        command: ["sleep", "60"],
        env: { A: "1" },
        readiness: { log: "ready" },
        roles: ["admin"],
        maxLifetimeHours: 8,
        idleMinutes: 30,
        resources: { cpu: 0.5, memoryMiB: 256, storageGiB: 2 },
      });
      await store().templates.put(t);
      expect(await store().templates.get(t.name)).toEqual(t);
    });
    kit.test("templates-02", "put of an existing name replaces it; list has it once", async () => {
      const t = template();
      await store().templates.put(t);
      await store().templates.put({ ...t, title: "Replaced" });
      expect((await store().templates.get(t.name))?.title).toBe("Replaced");
      expect((await store().templates.list()).filter((x) => x.name === t.name)).toHaveLength(1);
    });
    kit.test("templates-03", "delete gives true, then false; get of a deleted or unknown name gives null", async () => {
      const t = template();
      await store().templates.put(t);
      expect(await store().templates.delete(t.name)).toBe(true);
      expect(await store().templates.get(t.name)).toBeNull();
      expect(await store().templates.delete(t.name)).toBe(false);
    });
  });
}

/** Registers the `instances` suite. */
export function instancesSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("instances", () => {
    const store = h.useStore();
    const admitted = async (s: Store, owner?: string): Promise<Instance> =>
      s.admitInstance(newInstance(owner ?? (await newUser(s)).id, { experimentId: "exp-1", secret: "v1.encrypted" }), limits());
    kit.test("instances-01", "admitInstance stores the instance; get returns it", async () => {
      const i = await admitted(store());
      expect(i.state).toBe("pending");
      expect(await store().instances.get(i.id)).toEqual(i);
      expect(await store().instances.get(crypto.randomUUID())).toBeNull();
    });
    kit.test("instances-02", "update applies the patch when the state matches, handles and dates included", async () => {
      const i = await admitted(store());
      const patch = {
        state: "running" as const,
        compute: { backend: "kit", id: "w-1", state: { container: "abc", n: 1, nested: { ok: true } } },
        desktop: { provider: "kit", id: "d-1", state: {} },
        endpoint: { host: "10.0.0.5", port: 5901, protocol: "vnc" as const },
        startedAt: at(1),
        expiresAt: at(3600),
      };
      const updated = await store().instances.update(i.id, ["pending", "starting"], patch);
      expect(updated).toEqual({ ...i, ...patch });
      expect(await store().instances.get(i.id)).toEqual(updated);
    });
    kit.test("instances-03", "update with a state that does not match returns null and changes nothing", async () => {
      const i = await admitted(store());
      expect(await store().instances.update(i.id, ["running"], { state: "terminating" })).toBeNull();
      expect(await store().instances.get(i.id)).toEqual(i);
    });
    kit.test("instances-04", "update of an unknown id throws NOT_FOUND", async () => {
      await expectRejectsWith(store().instances.update(crypto.randomUUID(), ["pending"], { state: "starting" }), "NOT_FOUND");
    });
    kit.test("instances-05", "concurrent compare-and-set: exactly one of ten updates wins", async () => {
      const i = await admitted(store());
      const results = await Promise.all(Array.from({ length: 10 }, (_, n) => store().instances.update(i.id, ["pending"], { state: "starting", stateReason: `n${n}` })));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });
    kit.test("instances-06", "list filters by owner and states and pages with a total", async () => {
      const owner = (await newUser(store())).id;
      const mine = await Promise.all([1, 2, 3].map(() => admitted(store(), owner)));
      await admitted(store());
      await store().instances.update(mine[0]!.id, ["pending"], { state: "failed", stateReason: "kit" });
      const all = await store().instances.list({ owner });
      expect(all.total).toBe(3);
      expect(all.items.every((x) => x.owner === owner)).toBe(true);
      const pending = await store().instances.list({ owner, states: ["pending"] });
      expect(pending.items.map((x) => x.id).sort()).toEqual([mine[1]!.id, mine[2]!.id].sort());
      const page = await store().instances.list({ owner, page: 2, pageSize: 2 });
      expect(page).toMatchObject({ total: 3, page: 2, pageSize: 2 });
      expect(page.items).toHaveLength(1);
      expect(await store().instances.list({ owner, page: 3, pageSize: 2 }), "a page past the end still gives the total").toMatchObject({ items: [], total: 3 });
    });
  });
}

/** Registers the `admission` and `quotas` suites. */
export function admissionSuite(h: StoreHarness): void {
  const { kit } = h;
  describe("admission", () => {
    const store = h.useStore();
    const owner = async () => (await newUser(store())).id;
    const burst = (n: number, o: string, res: Instance["resources"], lim: Parameters<Store["admitInstance"]>[1]) =>
      tally(Array.from({ length: n }, () => store().admitInstance(newInstance(o, { resources: res }), lim)));

    kit.test("admission-01", "50 concurrent admissions under an instance limit of 5 admit exactly 5", async () => {
      const o = await owner();
      const result = await burst(50, o, { cpu: 1, memoryMiB: 128 }, limits({ instances: 5 }));
      expect(result).toEqual({ ok: 5, codes: { QUOTA_EXCEEDED: 45 } });
      expect((await store().instances.list({ owner: o })).total).toBe(5);
      expect((await store().quotas.usage(o)).instances).toBe(5);
    });
    kit.test("admission-02", "concurrent admissions never exceed the CPU limit", async () => {
      const o = await owner();
      expect(await burst(20, o, { cpu: 1.5, memoryMiB: 128 }, limits({ cpu: 4.5 }))).toEqual({ ok: 3, codes: { QUOTA_EXCEEDED: 17 } });
    });
    kit.test("admission-03", "concurrent admissions never exceed the memory limit", async () => {
      const o = await owner();
      expect(await burst(10, o, { cpu: 0.1, memoryMiB: 512 }, limits({ memoryMiB: 2048 }))).toEqual({ ok: 4, codes: { QUOTA_EXCEEDED: 6 } });
    });
    kit.test("admission-04", "concurrent admissions never exceed the storage limit", async () => {
      const o = await owner();
      expect(await burst(5, o, { cpu: 0.1, memoryMiB: 64, storageGiB: 4 }, limits({ storageGiB: 10 }))).toEqual({ ok: 2, codes: { QUOTA_EXCEEDED: 3 } });
    });
    kit.test("admission-05", "QUOTA_EXCEEDED names the limit, and a refused instance is not stored", async () => {
      const o = await owner();
      await store().admitInstance(newInstance(o), limits({ cpu: 1 }));
      const refused = newInstance(o);
      const error = await expectRejectsWith(store().admitInstance(refused, limits({ cpu: 1 })), "QUOTA_EXCEEDED");
      expect(errorText(error).toLowerCase(), "the error must name the limit").toContain("cpu");
      expect(await store().instances.get(refused.id)).toBeNull();
    });
    kit.test("admission-06", "terminated and failed instances do not count", async () => {
      const o = await owner();
      const lim = limits({ instances: 2 });
      const [a, b] = [await store().admitInstance(newInstance(o), lim), await store().admitInstance(newInstance(o), lim)];
      await expectRejectsWith(store().admitInstance(newInstance(o), lim), "QUOTA_EXCEEDED");
      await store().instances.update(a.id, ["pending"], { state: "failed", stateReason: "kit" });
      await store().instances.update(b.id, ["pending"], { state: "terminating" });
      await store().instances.update(b.id, ["terminating"], { state: "terminated" });
      await store().admitInstance(newInstance(o), lim);
      await store().admitInstance(newInstance(o), lim);
      expect((await store().quotas.usage(o)).instances).toBe(2);
    });
    kit.test("admission-07", "another user's instances do not count against mine", async () => {
      const [me, other] = [await owner(), await owner()];
      const lim = limits({ instances: 1 });
      await store().admitInstance(newInstance(other), lim);
      await store().admitInstance(newInstance(me), lim);
      await expectRejectsWith(store().admitInstance(newInstance(me), lim), "QUOTA_EXCEEDED");
    });
  });

  describe("quotas", () => {
    const store = h.useStore();
    kit.test("quotas-01", "an override is set, read and cleared; no override gives null", async () => {
      const u = await newUser(store());
      expect(await store().quotas.get(u.id)).toBeNull();
      const override = { instances: 7, cpu: 3.5, memoryMiB: 4096, storageGiB: 20 };
      await store().quotas.set(u.id, override);
      expect(await store().quotas.get(u.id)).toEqual(override);
      await store().quotas.set(u.id, { ...override, instances: 8 });
      expect((await store().quotas.get(u.id))?.instances).toBe(8);
      await store().quotas.set(u.id, null);
      expect(await store().quotas.get(u.id)).toBeNull();
    });
    kit.test("quotas-02", "usage sums the resources of active instances only", async () => {
      const u = await newUser(store());
      expect(await store().quotas.usage(u.id)).toEqual({ instances: 0, cpu: 0, memoryMiB: 0, storageGiB: 0 });
      await store().admitInstance(newInstance(u.id, { resources: { cpu: 1.5, memoryMiB: 1024, storageGiB: 3 } }), limits());
      await store().admitInstance(newInstance(u.id, { resources: { cpu: 0.5, memoryMiB: 512 } }), limits());
      const gone = await store().admitInstance(newInstance(u.id, { resources: { cpu: 4, memoryMiB: 4096 } }), limits());
      await store().instances.update(gone.id, ["pending"], { state: "failed", stateReason: "kit" });
      expect(await store().quotas.usage(u.id)).toEqual({ instances: 2, cpu: 2, memoryMiB: 1536, storageGiB: 3 });
    });
  });
}
