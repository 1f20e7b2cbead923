/** @module Compute suites `errors`, `abort`, `progress` and `dispose`: failures leave nothing behind. */
import { describe, expect } from "vitest";
import { isAppError } from "@calipso/core";
import type { ComputeHandle, ComputeProgress } from "@calipso/core";
import { declared } from "../shared/kit.ts";
import { describeError, errorText, expectAppError, expectCatalogueOutcome, rejection } from "../shared/errors.ts";
import type { ComputeHarness } from "./harness.ts";
import { defaultUnknownHandle, failingWorkloadOf } from "./options.ts";

const STEPS: readonly ComputeProgress["step"][] = ["create", "pull", "schedule", "start", "ready", "info"];
const PROMPT_MS = 5_000;

/** Whether `error` is the abort of `reason`: the reason itself, an error caused by it, or an AbortError. */
function isAbortOf(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  if (error instanceof Error && (error.cause === reason || error.name === "AbortError")) return true;
  return false;
}

/** Registers the `errors` suite. Rule: a workload that does not exist has status `stopped`. */
export function errorsSuite(h: ComputeHarness): void {
  const { kit, options } = h;
  describe("errors", () => {
    kit.test("errors-01", "status of a handle that never existed resolves { state: \"stopped\" }, and stop resolves", async () => {
      const backend = await h.instance();
      const started = await h.start(backend, h.spec());
      const unknown = (options.unknownHandle ?? defaultUnknownHandle)(started.handle);
      expect((await backend.status(unknown)).state).toBe("stopped");
      await backend.stop(unknown);
      expect((await backend.status(started.handle)).state, "stopping an unknown handle must not touch others").toBe("running");
      await backend.stop(started.handle);
    });
    kit.test("errors-02", "a malformed handle gives \"stopped\" or a catalogue AppError, never a raw error", async () => {
      const backend = await h.instance();
      const malformed: ComputeHandle = { backend: kit.definition.name, id: "calipso-kit-malformed", state: { unexpected: [1, { x: null }] } };
      const status = await expectCatalogueOutcome(backend.status(malformed));
      if (status.ok) expect(status.value.state).toBe("stopped");
      await expectCatalogueOutcome(backend.stop(malformed));
    });
    kit.test("errors-03", "a failing start rejects with a catalogue AppError and leaves nothing behind", async () => {
      const backend = await h.instance();
      const spec = h.spec({}, failingWorkloadOf(options));
      const error = await rejection(h.start(backend, spec));
      expectAppError(error);
      expect(await options.inspect.count(spec.labels), "workloads left behind by a failed start").toBe(0);
    });
    kit.test("errors-04", "errors never carry the workload's secret", async () => {
      const backend = await h.instance();
      const spec = h.spec({}, failingWorkloadOf(options));
      const error = await rejection(h.start(backend, spec));
      expect(errorText(error)).not.toContain(spec.secret.value);
    });
  });
}

/** Registers the `abort` suite. */
export function abortSuite(h: ComputeHarness): void {
  const { kit, options } = h;
  describe("abort", () => {
    kit.test(
      "abort-01",
      "start with an already-aborted signal rejects promptly with the signal's reason",
      async () => {
        const backend = await h.instance();
        const controller = new AbortController();
        const reason = new DOMException("aborted by the conformance kit", "AbortError");
        controller.abort(reason);
        const error = await rejection(h.start(backend, h.spec(), { signal: controller.signal }));
        expect(isAbortOf(error, reason), `expected the abort reason, got ${describeError(error)}`).toBe(true);
      },
      Math.min(PROMPT_MS, kit.timeoutMs),
    );
    kit.test("abort-02", "start with an already-aborted signal leaves nothing behind (checked through inspect)", async () => {
      const backend = await h.instance();
      const controller = new AbortController();
      controller.abort();
      const spec = h.spec();
      await rejection(h.start(backend, spec, { signal: controller.signal }));
      expect(await options.inspect.count(spec.labels)).toBe(0);
    });
    kit.test("abort-03", "aborting while start runs rejects it and removes what it created", async () => {
      const backend = await h.instance();
      const controller = new AbortController();
      const reason = new DOMException("aborted by the conformance kit", "AbortError");
      const spec = h.spec();
      const pending = h.start(backend, spec, { signal: controller.signal });
      controller.abort(reason);
      const error = await rejection(pending);
      expect(isAbortOf(error, reason) || isAppError(error), `expected the abort, got ${describeError(error)}`).toBe(true);
      expect(await options.inspect.count(spec.labels), "workloads left behind by an aborted start").toBe(0);
    });
    kit.testIf("progress", declared(kit.definition.capabilities.progress), "abort-04", "aborting at the first progress event cleans up", async () => {
      const backend = await h.instance();
      const controller = new AbortController();
      const spec = h.spec();
      const error = await rejection(h.start(backend, spec, { signal: controller.signal, onProgress: () => controller.abort() }));
      expect(error).toBeDefined();
      expect(await options.inspect.count(spec.labels)).toBe(0);
    });
  });
}

/** Registers the `progress` suite (capability `progress`). */
export function progressSuite(h: ComputeHarness): void {
  const { kit } = h;
  const has = declared(kit.definition.capabilities.progress);
  describe("progress", () => {
    kit.testIf("progress", has, "progress-01", "start reports well-formed progress events", async () => {
      const backend = await h.instance();
      const events: ComputeProgress[] = [];
      const started = await h.start(backend, h.spec(), { onProgress: (e) => events.push(e) });
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        expect(STEPS).toContain(e.step);
        expect(e.message.length).toBeGreaterThan(0);
        if (e.percent !== undefined) expect(e.percent >= 0 && e.percent <= 100, `percent ${e.percent}`).toBe(true);
      }
      await backend.stop(started.handle);
    });
    kit.testIf("progress", has, "progress-02", "no progress event arrives after start resolved", async () => {
      const backend = await h.instance();
      let count = 0;
      const started = await h.start(backend, h.spec(), { onProgress: () => void count++ });
      const atResolve = count;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(count).toBe(atResolve);
      await backend.stop(started.handle);
    });
    kit.testIf("progress", has, "progress-03", "progress messages never carry the workload's secret", async () => {
      const backend = await h.instance();
      const spec = h.spec();
      const messages: string[] = [];
      const started = await h.start(backend, spec, { onProgress: (e) => messages.push(e.message) });
      expect(messages.join("\n")).not.toContain(spec.secret.value);
      await backend.stop(started.handle);
    });
  });
}

/** Registers the `dispose` suite. */
export function disposeSuite(h: ComputeHarness): void {
  const { kit } = h;
  describe("dispose", () => {
    kit.test("dispose-01", "dispose (when the backend has it) resolves and is idempotent", async () => {
      const backend = await kit.create();
      if (backend.dispose === undefined) return;
      expect(backend.dispose).toBeTypeOf("function");
      await backend.dispose();
      await backend.dispose();
    });
  });
}
