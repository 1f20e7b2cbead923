// The conformance kit call every provider writes: the same suite Calipso's own backends pass.
import { createTestContext, describeComputeBackend } from "@calipso/sdk/testing";
import { createFakeWorkloadApi } from "./fake-api.ts";
import exampleBatch from "./index.ts";

const api = createFakeWorkloadApi({ token: "test-token", pollsUntilRunning: 2 });

describeComputeBackend({
  definition: exampleBatch,
  config: { url: "http://batch.test", token: "test-token", pollIntervalMs: 1 },
  invalidConfigs: [
    { config: { token: "test-token" }, field: "url" },
    { config: { url: "http://batch.test", token: "" }, field: "token" },
  ],
  ctx: createTestContext({ fetch: (input, init) => api.request(input, init) }),
  workload: { image: "example/desktop:1" },
  failingWorkload: { image: "crash/desktop:1" },
  inspect: { exists: async (h) => api.workloads.has(h.id), count: async (labels) => api.count(labels) },
});
