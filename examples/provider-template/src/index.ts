/**
 * @module An example third-party compute backend for Calipso: workloads run by a remote
 * "workload API" over HTTP. Copy this package to start your own provider.
 */
import { defineComputeBackend } from "@calipso/sdk";
import { createExampleBatchBackend } from "./backend.ts";
import { ExampleBatchConfigSchema } from "./config.ts";

/**
 * The provider definition: the Calipso server loads it by module specifier
 * (`compute: { provider: "@acme/calipso-compute-batch", config: { url, token } }`).
 *
 * @example
 * const backend = await instantiate(exampleBatch, { url: "https://batch.example.org", token }, ctx);
 */
export const exampleBatch = defineComputeBackend({
  name: "example-batch",
  description: "Runs workloads through a remote workload API over HTTP (example provider)",
  configSchema: ExampleBatchConfigSchema,
  capabilities: { progress: true, resourceLimits: ["cpu", "memory"], readiness: ["tcp"] },
  create: (config, ctx) => createExampleBatchBackend(config, ctx),
});

export default exampleBatch;
export { ExampleBatchConfigSchema } from "./config.ts";
export type { ExampleBatchConfig } from "./config.ts";
