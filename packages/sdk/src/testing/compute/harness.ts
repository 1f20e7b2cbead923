/** @module Per-suite state of the compute kit: instances to dispose and workloads to clean up. */
import { afterAll } from "vitest";
import type { ComputeBackend, ComputeHandle, ComputeStartOptions, ComputeStarted, WorkloadSpec } from "@calipso/core";
import type { Kit } from "../shared/kit.ts";
import type { ComputeKitOptions, WorkloadOption } from "./options.ts";
import { workloadFor } from "./options.ts";

/** What the compute suites share. */
export interface ComputeHarness {
  readonly kit: Kit<"compute">;
  readonly options: ComputeKitOptions;
  /** A new instance, disposed after the suite. */
  instance(): Promise<ComputeBackend>;
  /** A fresh spec (unique name and labels) from the author's workload option. */
  spec(extraLabels?: Readonly<Record<string, string>>, option?: WorkloadOption): WorkloadSpec;
  /** Starts `spec` on `backend` and remembers the handle for clean-up. */
  start(backend: ComputeBackend, spec: WorkloadSpec, options?: Partial<ComputeStartOptions>): Promise<ComputeStarted>;
  /** Remembers a handle for clean-up. */
  track(handle: ComputeHandle): void;
}

/** Creates the harness; call it inside the top-level `describe`. */
export function createComputeHarness(kit: Kit<"compute">, options: ComputeKitOptions): ComputeHarness {
  const instances: ComputeBackend[] = [];
  const handles: ComputeHandle[] = [];
  afterAll(async () => {
    // Stop whatever a failed test left running, from a fresh instance (as a restarted host would).
    if (handles.length > 0) {
      const cleaner = await kit.create();
      await Promise.allSettled(handles.map((h) => cleaner.stop(h)));
      await cleaner.dispose?.().catch(() => undefined);
    }
    await Promise.allSettled(instances.map((i) => i.dispose?.()));
  }, kit.timeoutMs);
  const harness: ComputeHarness = {
    kit,
    options,
    async instance() {
      const backend = await kit.create();
      instances.push(backend);
      return backend;
    },
    spec: (extraLabels = {}, option = options.workload) => workloadFor(option, extraLabels),
    async start(backend, spec, startOptions = {}) {
      const started = await backend.start(spec, { signal: new AbortController().signal, ...startOptions });
      handles.push(started.handle);
      return started;
    },
    track(handle) {
      handles.push(handle);
    },
  };
  return harness;
}

/** JSON round trip, as the host stores a handle. */
export function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
