import { describe, expect, it } from "vitest";
import type { InstanceEvent } from "../calipso-types.ts";
import { createTestCalipso } from "../testing/fixture.ts";

async function collect(iterable: AsyncIterable<InstanceEvent>): Promise<InstanceEvent[]> {
  const out: InstanceEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

describe("events", () => {
  it("yields the current state first, then progress and state changes until a terminal state", async () => {
    const t = await createTestCalipso({ compute: { behaviour: { mode: "ready", delayMs: 20 } } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    const seen = collect(t.calipso.events(alice, i.id));
    await t.calipso.idle();
    await t.calipso.terminate(alice, i.id);
    const events = await seen;
    const states = events.filter((e) => e.type === "state").map((e) => e.state);
    // The first event is whatever the state was when the stream read it; then every later state, in order.
    const all = ["pending", "starting", "running", "terminating", "terminated"];
    expect(states).toEqual(all.slice(all.indexOf(states[0]!)));
    expect(states.slice(-3)).toEqual(["running", "terminating", "terminated"]);
    expect(events.some((e) => e.type === "progress" && e.state === "starting" && typeof e.message === "string")).toBe(true);
    expect(events.every((e) => e.instanceId === i.id)).toBe(true);
  });

  it("ends at once for a terminal instance, with its reason", async () => {
    const t = await createTestCalipso({ compute: { behaviour: { mode: "fail", message: "no such image" } } });
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await t.calipso.idle();
    expect(await collect(t.calipso.events(alice, i.id))).toEqual([
      { instanceId: i.id, at: t.clock.now(), type: "state", state: "failed", message: "no such image" },
    ]);
  });

  it("ends when the caller aborts, and unsubscribes", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await t.calipso.idle();
    const controller = new AbortController();
    const events: InstanceEvent[] = [];
    for await (const e of t.calipso.events(alice, i.id, { signal: controller.signal })) {
      events.push(e);
      controller.abort();
    }
    expect(events.map((e) => e.state)).toEqual(["running"]);
  });

  it("ends a waiting stream when the caller aborts later", async () => {
    const t = await createTestCalipso();
    const alice = await t.login("alice");
    const i = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
    await t.calipso.idle();
    const controller = new AbortController();
    const done = collect(t.calipso.events(alice, i.id, { signal: controller.signal }));
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect((await done).map((e) => e.state)).toEqual(["running"]);
  });
});
