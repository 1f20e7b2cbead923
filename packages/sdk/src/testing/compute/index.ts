/** @module `describeComputeBackend()`: the conformance suite of a compute backend. */
import { describe } from "vitest";
import type { z } from "zod";
import { configSuite, definitionSuite } from "../shared/definition.ts";
import { createKit } from "../shared/kit.ts";
import { abortSuite, disposeSuite, errorsSuite, progressSuite } from "./failures.ts";
import { createComputeHarness } from "./harness.ts";
import { lifecycleSuite, listSuite, restoreSuite } from "./lifecycle.ts";
import type { ComputeKitOptions } from "./options.ts";

export type { ComputeInspector, ComputeKitOptions, WorkloadOption } from "./options.ts";
export { defaultWorkloadSpec } from "./options.ts";

/**
 * Registers the conformance suite of a compute backend: definition, config, lifecycle, restore,
 * list, errors, abort, progress and dispose. Test titles carry stable ids (`[compute/restore-01]`).
 *
 * @example
 * describeComputeBackend({
 *   definition: myBackend,
 *   config: { url: "http://127.0.0.1:8080" },
 *   invalidConfigs: [{ config: { url: 42 }, field: "url" }],
 *   workload: { image: "busybox", command: ["sleep", "300"] },
 *   inspect: { exists: (h) => api.has(h.id), count: (labels) => api.count(labels) },
 * });
 */
export function describeComputeBackend<S extends z.ZodType>(options: ComputeKitOptions<S>): void {
  describe(`calipso conformance: compute/${options.definition.name}`, () => {
    const kit = createKit("compute", options);
    const harness = createComputeHarness(kit, options as ComputeKitOptions);
    definitionSuite(kit);
    configSuite(kit);
    lifecycleSuite(harness);
    restoreSuite(harness);
    listSuite(harness);
    errorsSuite(harness);
    abortSuite(harness);
    progressSuite(harness);
    disposeSuite(harness);
  });
}
