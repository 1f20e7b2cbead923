import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { createTestCalipso } from "../testing/fixture.ts";

const notFound = (e: unknown) => AppError.is(e, "NOT_FOUND");

describe("users cannot reach each other's instances or experiments (seed holes S2, S3)", () => {
  async function setup() {
    const t = await createTestCalipso();
    const [alice, bob, root] = [await t.login("alice"), await t.login("bob"), await t.login("root")];
    const instance = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await t.calipso.idle();
    return { t, alice, bob, root, instance };
  }

  it("gives B NOT_FOUND, never FORBIDDEN, for A's instance: get, terminate, access, events", async () => {
    const { t, bob, alice, instance } = await setup();
    await expect(t.calipso.getInstance(bob, instance.id)).rejects.toSatisfy(notFound);
    await expect(t.calipso.terminate(bob, instance.id)).rejects.toSatisfy(notFound);
    await expect(t.calipso.access(bob, instance.id)).rejects.toSatisfy(notFound);
    const iterator = t.calipso.events(bob, instance.id)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toSatisfy(notFound);
    // An id that does not exist at all gives exactly the same answer.
    const unknown = (await t.calipso.getInstance(bob, "00000000-0000-4000-8000-000000000000").catch((e: unknown) => e)) as AppError;
    const foreign = (await t.calipso.getInstance(bob, instance.id).catch((e: unknown) => e)) as AppError;
    expect([foreign.code, foreign.detail]).toEqual([unknown.code, unknown.detail]);
    expect((await t.calipso.listInstances(bob)).items).toEqual([]);
    await expect(t.calipso.listInstances(bob, { all: true })).rejects.toSatisfy((e) => AppError.is(e, "FORBIDDEN"));
    // Nothing happened to A's instance.
    expect((await t.calipso.getInstance(alice, instance.id)).state).toBe("running");
    expect(t.compute.engine.active()).toHaveLength(1);
  });

  it("lets the owner and an admin see, access and terminate it", async () => {
    const { t, alice, root, instance } = await setup();
    expect((await t.calipso.listInstances(alice)).items.map((i) => i.id)).toEqual([instance.id]);
    expect((await t.calipso.listInstances(root, { all: true })).items.map((i) => i.id)).toEqual([instance.id]);
    const access = await t.calipso.access(alice, instance.id);
    expect(access.url).toContain("https://desktop.fake.invalid/");
    await expect(t.calipso.access(root, instance.id, { readOnly: true })).resolves.toBeTruthy();
    const terminated = await t.calipso.terminate(root, instance.id);
    expect(terminated.stateReason).toBe("Terminated by an admin");
    await t.calipso.idle();
    expect((await t.calipso.getInstance(alice, instance.id)).state).toBe("terminated");
    expect(t.compute.engine.active()).toEqual([]);
    expect(t.desktop!.gateway.registrations.size).toBe(0);
    // Terminate is idempotent; access to a terminated desktop is a CONFLICT.
    expect((await t.calipso.terminate(alice, instance.id)).state).toBe("terminated");
    await expect(t.calipso.access(alice, instance.id)).rejects.toSatisfy((e) => AppError.is(e, "CONFLICT"));
  });

  it("refuses B a launch against A's experiment with NOT_FOUND", async () => {
    const { t, bob } = await setup();
    await expect(t.calipso.launch(bob, { template: "desk", experimentId: await t.experimentId("P1") })).rejects.toSatisfy(notFound);
    await expect(t.calipso.launch(bob, { template: "desk", experimentId: "no-such-experiment" })).rejects.toSatisfy(notFound);
    expect((await t.calipso.quota(bob)).usage.instances).toBe(0);
  });

  it("asks the source again at launch: a membership revoked there is refused even while the store cache says member", async () => {
    const t = await createTestCalipso();
    const bob = await t.login("bob");
    const shared = (await t.calipso.listExperiments(bob)).items.find((e) => e.proposalId === "P3")!;
    expect(await t.store.experiments.isMember(bob.id, shared.id)).toBe(true);
    t.source.setMembers("P3", ["alice"]);
    await expect(t.calipso.launch(bob, { template: "desk", experimentId: shared.id })).rejects.toSatisfy(notFound);
    expect(await t.store.experiments.isMember(bob.id, shared.id)).toBe(true);
    expect(t.store.counts().instances).toBe(0);
  });

  it("refuses a launch when the store does not list the user as member, even if the id exists", async () => {
    const t = await createTestCalipso();
    const [alice, bob] = [await t.login("alice"), await t.login("bob")];
    const p1 = (await t.calipso.listExperiments(alice)).items.find((e) => e.proposalId === "P1")!;
    await t.calipso.listExperiments(bob);
    // The source now says bob is a member, but the store's cache (fresh) does not: refused until the next sync.
    t.source.setMembers("P1", ["alice", "bob"]);
    await expect(t.calipso.launch(bob, { template: "desk", experimentId: p1.id })).rejects.toSatisfy(notFound);
  });
});
