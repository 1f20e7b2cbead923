/** @module Compute suites `lifecycle`, `restore` and `list`: start → running → stop, handles that survive a restart. */
import { describe, expect } from "vitest";
import { ComputeHandleSchema, EndpointSchema } from "@calipso/core";
import type { ComputeBackend } from "@calipso/core";
import { randomSuffix } from "../shared/kit.ts";
import type { ComputeHarness } from "./harness.ts";
import { roundTrip } from "./harness.ts";

/** Registers the `lifecycle` suite. */
export function lifecycleSuite(h: ComputeHarness): void {
  const { kit, options } = h;
  describe("lifecycle", () => {
    kit.test("lifecycle-01", "start resolves with a running endpoint and a JSON handle", async () => {
      const backend = await h.instance();
      const spec = h.spec();
      const started = await h.start(backend, spec);
      expect(ComputeHandleSchema.safeParse(started.handle).success, "handle must match ComputeHandleSchema").toBe(true);
      expect(roundTrip(started.handle), "handle must survive JSON unchanged").toEqual(started.handle);
      expect(EndpointSchema.safeParse(started.endpoint).success, "endpoint must match EndpointSchema").toBe(true);
      expect(started.endpoint.protocol).toBe(spec.port.protocol);
      await backend.stop(started.handle);
    });
    kit.test("lifecycle-02", "status of a started workload is running, with the endpoint start returned", async () => {
      const backend = await h.instance();
      const started = await h.start(backend, h.spec());
      const status = await backend.status(started.handle);
      expect(status.state).toBe("running");
      if (status.state === "running") expect(status.endpoint).toEqual(started.endpoint);
      await backend.stop(started.handle);
    });
    kit.test("lifecycle-03", "the started workload exists (checked through inspect, not the provider)", async () => {
      const backend = await h.instance();
      const spec = h.spec();
      const started = await h.start(backend, spec);
      expect(await options.inspect.exists(started.handle)).toBe(true);
      expect(await options.inspect.count(spec.labels)).toBe(1);
      await backend.stop(started.handle);
    });
    kit.test("lifecycle-04", "after stop, status resolves { state: \"stopped\" } (never NOT_FOUND)", async () => {
      const backend = await h.instance();
      const started = await h.start(backend, h.spec());
      await backend.stop(started.handle);
      const status = await backend.status(started.handle);
      expect(status.state).toBe("stopped");
    });
    kit.test("lifecycle-05", "stop removes the workload: nothing is left (checked through inspect)", async () => {
      const backend = await h.instance();
      const spec = h.spec();
      const started = await h.start(backend, spec);
      await backend.stop(started.handle);
      expect(await options.inspect.exists(started.handle)).toBe(false);
      expect(await options.inspect.count(spec.labels)).toBe(0);
    });
    kit.test("lifecycle-06", "stop is idempotent: a second and a concurrent stop resolve", async () => {
      const backend = await h.instance();
      const started = await h.start(backend, h.spec());
      await Promise.all([backend.stop(started.handle), backend.stop(started.handle)]);
      await backend.stop(started.handle);
      expect((await backend.status(started.handle)).state).toBe("stopped");
    });
    kit.test("lifecycle-07", "two workloads run side by side with their own handles", async () => {
      const backend = await h.instance();
      const [a, b] = await Promise.all([h.start(backend, h.spec()), h.start(backend, h.spec())]);
      expect(a.handle).not.toEqual(b.handle);
      await backend.stop(a.handle);
      expect((await backend.status(b.handle)).state, "stopping one must not stop the other").toBe("running");
      await backend.stop(b.handle);
    });
  });
}

/** Registers the `restore` suite: handles work in a new instance, as after a server restart. */
export function restoreSuite(h: ComputeHarness): void {
  const { kit, options } = h;
  describe("restore", () => {
    kit.test("restore-01", "status of a JSON round-tripped handle works in a new instance", async () => {
      const first = await h.instance();
      const started = await h.start(first, h.spec());
      const second = await h.instance();
      const status = await second.status(roundTrip(started.handle));
      expect(status.state).toBe("running");
      if (status.state === "running") expect(status.endpoint).toEqual(started.endpoint);
      await second.stop(roundTrip(started.handle));
    });
    kit.test("restore-02", "stop of a JSON round-tripped handle from a new instance removes the workload", async () => {
      const first = await h.instance();
      const started = await h.start(first, h.spec());
      const second = await h.instance();
      await second.stop(roundTrip(started.handle));
      expect(await options.inspect.exists(started.handle)).toBe(false);
      expect((await first.status(started.handle)).state).toBe("stopped");
    });
    kit.test("restore-03", "a new instance lists workloads started by another instance", async () => {
      const first = await h.instance();
      const spec = h.spec();
      const started = await h.start(first, spec);
      const second = await h.instance();
      const listed = await second.list(spec.labels);
      expect(listed.map((w) => w.handle.id)).toEqual([started.handle.id]);
      await second.stop(listed[0]!.handle);
      expect(await options.inspect.exists(started.handle)).toBe(false);
    });
    kit.test("restore-04", "dispose does not stop workloads: they outlive the instance that started them", async () => {
      const first = await kit.create();
      const started = await h.start(first, h.spec());
      await first.dispose?.();
      const second = await h.instance();
      expect((await second.status(roundTrip(started.handle))).state).toBe("running");
      await second.stop(started.handle);
    });
  });
}

/** Registers the `list` suite: selection by the labels the host sets. */
export function listSuite(h: ComputeHarness): void {
  const { kit } = h;
  const byLabels = async (backend: ComputeBackend, selector: Record<string, string>) =>
    (await backend.list(selector)).map((w) => w.handle.id).sort();
  describe("list", () => {
    kit.test("list-01", "list returns exactly the workloads whose labels include the selector, with their labels", async () => {
      const backend = await h.instance();
      const run = randomSuffix();
      const a = await h.start(backend, h.spec({ "calipso.kit-run": run, "calipso.kit-role": "a" }));
      const b = await h.start(backend, h.spec({ "calipso.kit-run": run, "calipso.kit-role": "b" }));
      expect(await byLabels(backend, { "calipso.kit-run": run })).toEqual([a.handle.id, b.handle.id].sort());
      expect(await byLabels(backend, { "calipso.kit-run": run, "calipso.kit-role": "b" })).toEqual([b.handle.id]);
      const listed = await backend.list({ "calipso.kit-run": run, "calipso.kit-role": "a" });
      expect(listed[0]?.labels).toMatchObject({ "calipso.kit-run": run, "calipso.kit-role": "a" });
      await Promise.all([backend.stop(a.handle), backend.stop(b.handle)]);
    });
    kit.test("list-02", "a selector that matches nothing gives an empty list", async () => {
      const backend = await h.instance();
      expect(await backend.list({ "calipso.kit-run": `none-${randomSuffix()}` })).toEqual([]);
    });
    kit.test("list-03", "stopped workloads are no longer listed", async () => {
      const backend = await h.instance();
      const run = randomSuffix();
      const a = await h.start(backend, h.spec({ "calipso.kit-run": run }));
      await backend.stop(a.handle);
      expect(await byLabels(backend, { "calipso.kit-run": run })).toEqual([]);
    });
    kit.test("list-04", "listed handles are JSON and work with status", async () => {
      const backend = await h.instance();
      const run = randomSuffix();
      const a = await h.start(backend, h.spec({ "calipso.kit-run": run }));
      const [listed] = await backend.list({ "calipso.kit-run": run });
      expect(listed).toBeDefined();
      expect(roundTrip(listed!.handle)).toEqual(listed!.handle);
      expect((await backend.status(roundTrip(listed!.handle))).state).toBe("running");
      await backend.stop(a.handle);
    });
  });
}
