import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import type { ErrorCode } from "../errors.ts";
import { createTestCalipso, eventually } from "../testing/fixture.ts";
import { testSecrets } from "../testing/context.ts";

const is = (code: ErrorCode) => (e: unknown) => AppError.is(e, code);

describe("launch", () => {
  it("returns a pending instance at once, then runs it with a registered desktop", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const p1 = await t.experimentId("P1");
    const pending = await t.calipso.launch(alice, { template: "desk", experimentId: p1, sessionId: "s1" });
    expect(pending).toMatchObject({ state: "pending", owner: alice.id, experimentId: p1, sessionId: "s1", template: "desk" });
    expect(pending).not.toHaveProperty("secret");
    await t.calipso.idle();
    const running = await t.calipso.getInstance(alice, pending.id);
    expect(running).toMatchObject({ state: "running", endpoint: { protocol: "vnc", port: 5901 } });
    expect(running.startedAt).toEqual(t.clock.now());
    expect(running.expiresAt).toEqual(new Date(t.clock.now().getTime() + 2 * 3_600_000));
    // The workload carries the labels, the experiment's identity and its mounts.
    const [workload] = t.compute.engine.active();
    expect(workload!.labels).toEqual({ "calipso.instance": pending.id, "calipso.owner": alice.id, "calipso.template": "desk", "calipso.deployment": "test" });
    expect(workload!.spec.name).toBe(`calipso-${pending.id}`);
    expect(workload!.spec.user).toEqual({ uid: 2001, gid: 2001 });
    expect(workload!.spec.mounts.map((m) => [m.kind, m.hostPath, m.readOnly])).toEqual([
      ["dataset", "/srv/data/P1/s1/raw", true],
      ["dataset", "/srv/data/P1/s1/processed", true],
      ["output", "/srv/output/P1/alice", false],
      ["home", "/srv/home/alice", false],
    ]);
    // The desktop secret reaches the workload and the gateway, and is stored only encrypted.
    const [registration] = [...t.desktop!.gateway.registrations.values()];
    expect(registration!.secret).toBe(workload!.spec.secret.value);
    const stored = await t.store.instances.get(pending.id);
    expect(stored!.secret).not.toContain(registration!.secret);
    expect(await testSecrets.decrypt(stored!.secret!)).toBe(registration!.secret);
  });

  it("mounts every session's datasets when no session is chosen", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    await t.calipso.launch(alice, { template: "jupyter", experimentId: await t.experimentId("P1") });
    await t.calipso.idle();
    const [w] = t.compute.engine.active();
    expect(w!.spec.mounts.filter((m) => m.kind === "dataset").map((m) => m.subPath)).toEqual(["P1/s1/raw", "P1/s1/processed", "P1/s2/raw"]);
    expect(t.desktop!.gateway.registrations.size).toBe(0);
  });

  it.each([
    ["instances", { instances: 5 }, { cpu: 1, memoryMiB: 1024 }],
    ["cpu", { cpu: 5 }, { cpu: 1, memoryMiB: 1024 }],
    ["memoryMiB", { memoryMiB: 5 * 1024 }, { cpu: 1, memoryMiB: 1024 }],
  ] as const)("admits exactly 5 of 200 concurrent launches under a quota of 5 on %s and refuses 195 with QUOTA_EXCEEDED", async (limit, quota, resources) => {
    const t = await createTestCalipso({
      quota: { instances: 1000, cpu: 1000, memoryMiB: 1_000_000, ...quota },
      templates: [{ name: "desk", title: "D", kind: "desktop", image: "d:1", resources, timeoutSec: 1 }],
    });
    const alice = await t.login("alice");
    const p1 = await t.experimentId("P1");
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => t.calipso.launch(alice, { template: "desk", experimentId: p1 })));
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    expect(refused).toHaveLength(195);
    for (const r of refused) {
      expect(AppError.is(r.reason, "QUOTA_EXCEEDED")).toBe(true);
      expect((r.reason as AppError).meta?.["limit"]).toBe(limit);
    }
    await t.calipso.idle();
    expect(t.compute.engine.active()).toHaveLength(5);
    expect((await t.calipso.quota(alice)).usage.instances).toBe(5);
  });

  it("uses an admin's quota override instead of the default", async () => {
    const t = await createTestCalipso({ quota: { instances: 1 } });
    const [alice, root] = [await t.login("alice"), await t.login("root")];
    await t.calipso.admin.setQuota(root, alice.id, { instances: 2, cpu: 8, memoryMiB: 8192, storageGiB: 10 });
    const p1 = await t.experimentId("P1");
    await t.calipso.launch(alice, { template: "desk", experimentId: p1 });
    await t.calipso.launch(alice, { template: "desk", experimentId: p1 });
    await expect(t.calipso.launch(alice, { template: "desk", experimentId: p1 })).rejects.toSatisfy(is("QUOTA_EXCEEDED"));
    await t.calipso.idle();
  });

  it("refuses a launch without an experiment unless the user may use own resources (seed hole S2)", async () => {
    const t = await createTestCalipso();
    const [alice, carol, root] = [await t.login("alice"), await t.login("carol"), await t.login("root")];
    await expect(t.calipso.launch(alice, { template: "desk" })).rejects.toSatisfy(is("FORBIDDEN"));
    expect(t.store.counts().instances).toBe(0);
    const own = await t.calipso.launch(carol, { template: "desk" });
    await t.calipso.idle();
    const w = t.compute.engine.active().find((x) => x.labels["calipso.instance"] === own.id)!;
    expect(w.spec.user).toEqual({ uid: 1000, gid: 1000 });
    expect(w.spec.mounts.map((m) => m.kind)).toEqual(["home"]);
    // An admin's explicit grant also counts.
    await t.calipso.admin.setMayUseOwnResources(root, alice.id, true);
    await expect(t.calipso.launch(alice, { template: "desk" })).resolves.toMatchObject({ state: "pending" });
    await t.calipso.idle();
  });

  it("refuses bad requests precisely and writes nothing", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const p1 = await t.experimentId("P1");
    await expect(t.calipso.launch(alice, { template: "nope", experimentId: p1 })).rejects.toSatisfy(is("NOT_FOUND"));
    await expect(t.calipso.launch(alice, { template: "desk", experimentId: p1, sessionId: "zz" })).rejects.toSatisfy(is("NOT_FOUND"));
    await expect(t.calipso.launch(alice, { template: "desk", sessionId: "s1" })).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(t.calipso.launch(alice, { template: "docs", experimentId: p1 })).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(t.calipso.launch(alice, { template: "desk", experimentId: p1, extra: 1 } as never)).rejects.toSatisfy(is("VALIDATION_FAILED"));
    await expect(t.calipso.launch(alice, null as never)).rejects.toSatisfy(is("VALIDATION_FAILED"));
    const error = (await t.calipso.launch(alice, { template: 42 } as never).catch((e: unknown) => e)) as AppError;
    expect(error.meta?.["issues"]).toEqual([expect.objectContaining({ path: "template" })]);
    expect(t.store.counts().instances).toBe(0);
  });

  it("refuses templates the user's roles do not allow, as if they did not exist", async () => {
    const t = await createTestCalipso({
      templates: [{ name: "gpu", title: "GPU", kind: "desktop", image: "g:1", resources: { cpu: 1, memoryMiB: 1 }, roles: ["admin"] }],
    });
    const [alice, root] = [await t.login("alice"), await t.login("root")];
    expect(await t.calipso.listTemplates(alice)).toEqual([]);
    expect((await t.calipso.listTemplates(root)).map((x) => x.name)).toEqual(["gpu"]);
    await expect(t.calipso.launch(alice, { template: "gpu", experimentId: await t.experimentId("P1") })).rejects.toSatisfy(is("NOT_FOUND"));
  });

  it("refuses to run as root unless the template allows it", async () => {
    const t = await createTestCalipso({ experiments: [{ proposalId: "R", title: "root", posix: { uid: 0, gid: 0 }, members: ["alice"] }] });
    const alice = await t.login("alice");
    const error = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("R") }).catch((e: unknown) => e);
    expect(AppError.is(error, "FORBIDDEN") && error.detail).toMatch(/\broot\b/);
    expect(t.store.counts().instances).toBe(0);
  });

  it.each([
    ["../../etc", "FORBIDDEN"],
    ["/etc", "FORBIDDEN"],
    ["%2e%2e/etc", "VALIDATION_FAILED"],
    ["P1\\..\\..\\etc", "VALIDATION_FAILED"],
  ] as const)("refuses to launch when a dataset path from the source (%j) would escape the data root", async (path, code) => {
    const t = await createTestCalipso({ experiments: [{ proposalId: "EVIL", title: "x", members: ["alice"], sessions: [{ id: "s", datasets: [{ path }] }] }] });
    const alice = await t.login("alice");
    await expect(t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("EVIL") })).rejects.toSatisfy(is(code));
    expect(t.store.counts().instances).toBe(0);
    expect(t.compute.engine.counters.starts).toBe(0);
  });

  it("writes audit events for the launch and the start", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await t.calipso.idle();
    const audit = await t.store.audit.list({ page: 1, pageSize: 50, target: `instance:${i.id}` });
    expect(audit.items.map((e) => e.action).sort()).toEqual(["instance.launch", "instance.start"]);
  });
});

describe("launch failures compensate and leave nothing behind", () => {
  async function expectCleanFailure(t: Awaited<ReturnType<typeof createTestCalipso>>, id: string, reason: RegExp) {
    await t.calipso.idle();
    const alice = await t.login("alice");
    const instance = await t.calipso.getInstance(alice, id);
    expect(instance.state).toBe("failed");
    expect(instance.stateReason).toMatch(reason);
    expect(t.compute.engine.active()).toEqual([]);
    expect(t.desktop!.gateway.registrations.size).toBe(0);
    const audit = await t.store.audit.list({ page: 1, pageSize: 50, target: `instance:${id}` });
    expect(audit.items.map((e) => e.action)).toContain("instance.fail");
    expect((await t.calipso.quota(alice)).usage.instances).toBe(0);
  }

  it("marks the instance failed when the compute start fails", async () => {
    const t = await createTestCalipso({ compute: { behaviour: { mode: "fail", message: "image pull denied" } } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await expectCleanFailure(t, i.id, /image pull denied/);
  });

  it("aborts a start that hangs past the template's timeout", async () => {
    const t = await createTestCalipso({ compute: { behaviour: { mode: "hang" } } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await expectCleanFailure(t, i.id, /within 1 s/);
  });

  it("gives up on a start that ignores the abort, and stops its workload when it finally appears", async () => {
    const t = await createTestCalipso({ compute: { behaviour: { mode: "ready", delayMs: 1300, ignoreAbort: true } } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await t.calipso.idle();
    expect((await t.calipso.getInstance(alice, i.id)).state).toBe("failed");
    await eventually(() => t.compute.engine.counters.stops === 1, 5000, "the late workload to be stopped");
    await expectCleanFailure(t, i.id, /within 1 s/);
  });

  it("releases nothing twice and stops compute when the desktop registration fails", async () => {
    const t = await createTestCalipso({ desktop: { failRegister: true } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await expectCleanFailure(t, i.id, /refused the registration/);
    expect(t.compute.engine.counters.stops).toBe(1);
  });

  it("fails a start in flight at shutdown with a reason", async () => {
    const t = await createTestCalipso({ compute: { behaviour: { mode: "hang" } } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await eventually(() => t.compute.engine.active().length === 1);
    await t.calipso.dispose();
    await expectCleanFailure(t, i.id, /shut down/);
    await expect(t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") })).rejects.toSatisfy(is("PROVIDER_UNAVAILABLE"));
  });

  it("aborts the start when the instance is terminated while starting, and ends terminated", async () => {
    const t = await createTestCalipso({ compute: { behaviour: { mode: "hang" } } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await eventually(() => t.compute.engine.active().length === 1);
    const terminating = await t.calipso.terminate(alice, i.id);
    expect(terminating.state).toBe("terminating");
    await t.calipso.idle();
    const after = await t.calipso.getInstance(alice, i.id);
    expect(after.state).toBe("terminated");
    expect(after.stateReason).toBe("Terminated by its owner");
    expect(t.compute.engine.active()).toEqual([]);
    expect(t.desktop!.gateway.registrations.size).toBe(0);
  });

  it("terminates a pending instance before its start even begins", async () => {
    const t = await createTestCalipso({ compute: { behaviour: { mode: "ready", delayMs: 5 } } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await t.calipso.terminate(alice, i.id);
    await t.calipso.idle();
    expect((await t.calipso.getInstance(alice, i.id)).state).toBe("terminated");
    expect(t.compute.engine.active()).toEqual([]);
    expect(t.desktop!.gateway.registrations.size).toBe(0);
  });
});
