import { describe, expect, it } from "vitest";
import { createTestCalipso } from "../testing/fixture.ts";

describe("reconcile", () => {
  it("removes a workload that no instance claims and fails an instance whose workload vanished", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const p1 = await t.experimentId("P1");
    const [keep, lost] = [await t.calipso.launch(alice, { template: "desk", experimentId: p1 }), await t.calipso.launch(alice, { template: "desk", experimentId: p1 })];
    await t.calipso.idle();
    const orphan = t.compute.engine.create({ "calipso.instance": "gone", "calipso.deployment": "test" });
    const otherDeployment = t.compute.engine.create({ "calipso.instance": "x", "calipso.deployment": "prod" });
    const lostWorkload = t.compute.engine.active().find((w) => w.labels["calipso.instance"] === lost.id)!;
    t.compute.engine.remove(lostWorkload.id);

    const report = await t.calipso.reconcile();
    expect(report).toEqual({ removedWorkloads: 1, failedInstances: 1, releasedDesktops: 1 });
    expect(t.compute.engine.workloads.has(orphan.id)).toBe(false);
    expect(t.compute.engine.workloads.has(otherDeployment.id)).toBe(true);
    const failed = await t.calipso.getInstance(alice, lost.id);
    expect(failed.state).toBe("failed");
    expect(failed.stateReason).toMatch(/stopped or disappeared/);
    expect((await t.calipso.getInstance(alice, keep.id)).state).toBe("running");
    expect([...t.desktop!.gateway.registrations.values()].map((r) => r.instanceId)).toEqual([keep.id]);
    const audit = await t.store.audit.list({ page: 1, pageSize: 50, actor: "system" });
    expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(["workload.remove", "instance.fail"]));
    // A second pass finds nothing to do.
    expect(await t.calipso.reconcile()).toEqual({ removedWorkloads: 0, failedInstances: 0, releasedDesktops: 0 });
  });

  it("fails instances whose workload crashed or exited, and releases orphan desktop registrations", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const p1 = await t.experimentId("P1");
    const a = await t.calipso.launch(alice, { template: "desk", experimentId: p1 });
    const b = await t.calipso.launch(alice, { template: "desk", experimentId: p1 });
    await t.calipso.idle();
    const byInstance = (id: string) => t.compute.engine.active().find((w) => w.labels["calipso.instance"] === id)!;
    t.compute.engine.crash(byInstance(a.id).id, "OOMKilled");
    t.compute.engine.exit(byInstance(b.id).id, 137);
    await t.desktop!.register({ instanceId: "ghost", owner: "x", endpoint: { host: "h", port: 1, protocol: "vnc" }, secret: "s", title: "t" });
    const report = await t.calipso.reconcile();
    expect(report).toEqual({ removedWorkloads: 0, failedInstances: 2, releasedDesktops: 3 });
    expect((await t.calipso.getInstance(alice, a.id)).stateReason).toMatch(/OOMKilled/);
    expect((await t.calipso.getInstance(alice, b.id)).stateReason).toMatch(/code 137/);
    expect(t.desktop!.gateway.registrations.size).toBe(0);
    expect(t.compute.engine.workloads.size).toBe(0);
  });

  it("skips while another replica holds the lease", async () => {
    const t = await createTestCalipso();
    expect(await t.store.leases.acquire("reconcile", "other", 60_000, t.clock.now())).toBe(true);
    t.compute.engine.create({ "calipso.instance": "gone", "calipso.deployment": "test" });
    const report = await t.calipso.reconcile({ holder: "me" });
    expect(report.skipped).toMatch(/lease/);
    expect(t.compute.engine.workloads.size).toBe(1);
    await t.store.leases.release("reconcile", "other");
    expect((await t.calipso.reconcile({ holder: "me" })).removedWorkloads).toBe(1);
  });

  it("fails a start that a dead process left behind, once no start could still be running", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    // As if another process admitted it and died before starting it.
    await t.store.admitInstance({ id: "stuck", owner: alice.id, template: "desk", state: "pending", resources: { cpu: 1, memoryMiB: 1 }, createdAt: t.clock.now() }, t.deps.quota);
    expect((await t.calipso.reconcile()).failedInstances).toBe(0);
    t.clock.advance(1000 + 50 + 60_000 + 1);
    expect((await t.calipso.reconcile()).failedInstances).toBe(1);
    expect(await t.store.instances.get("stuck")).toMatchObject({ state: "failed", stateReason: "The start was interrupted (Calipso restarted)" });
  });

  it("never removes the workload of an instance that is still starting", async () => {
    const t = await createTestCalipso({ compute: { behaviour: { mode: "ready", delayMs: 100 } } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    const report = await t.calipso.reconcile();
    expect(report.removedWorkloads).toBe(0);
    await t.calipso.idle();
    expect((await t.calipso.getInstance(alice, i.id)).state).toBe("running");
  });
});

describe("reap", () => {
  it("terminates instances past their lifetime or idle longer than the template allows", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const p1 = await t.experimentId("P1");
    const old = await t.calipso.launch(alice, { template: "desk", experimentId: p1 });
    await t.calipso.idle();
    t.clock.advance(20 * 60_000);
    const idle = await t.calipso.launch(alice, { template: "desk", experimentId: p1 });
    const busy = await t.calipso.launch(alice, { template: "desk", experimentId: p1 });
    const web = await t.calipso.launch(alice, { template: "jupyter", experimentId: p1 });
    await t.calipso.idle();
    expect((await t.calipso.reap()).terminated).toBe(0);

    // 2 h after the first launch: it has reached maxLifetimeHours; the others are idle for 100 min (> 30).
    t.clock.advance(100 * 60_000);
    t.desktop!.gateway.setActivity(busy.id, new Date(t.clock.now().getTime() - 60_000));
    const report = await t.calipso.reap();
    expect(report).toEqual({ terminated: 2, expiredSessions: 0 });
    await t.calipso.idle();
    const state = async (id: string) => (await t.calipso.getInstance(alice, id)).state;
    expect(await state(old.id)).toBe("terminated");
    expect(await state(idle.id)).toBe("terminated");
    expect(await state(busy.id)).toBe("running");
    expect(await state(web.id)).toBe("running");
    expect((await t.store.instances.get(old.id))!.stateReason).toBe("Reached its maximum lifetime");
    expect((await t.store.instances.get(idle.id))!.stateReason).toBe("Idle for more than 30 minutes");
    expect(t.compute.engine.active()).toHaveLength(2);
  });

  it("deletes expired login sessions", async () => {
    const t = await createTestCalipso({ deps: { sessions: { ttlSec: 60 } } });
    await t.login("alice");
    await t.login("bob");
    t.clock.advance(61_000);
    expect(await t.calipso.reap()).toEqual({ terminated: 0, expiredSessions: 2 });
    expect(t.store.counts().sessions).toBe(0);
  });

  it("skips while another replica holds the lease", async () => {
    const t = await createTestCalipso();
    await t.store.leases.acquire("reap", "other", 60_000, t.clock.now());
    expect((await t.calipso.reap({ holder: "me" })).skipped).toMatch(/lease/);
  });
});
