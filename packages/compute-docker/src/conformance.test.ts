/**
 * The compute conformance suite of `@calipso/sdk/testing`, against the real engine (podman in CI).
 * Workloads sit on an internal network (no published port): a container start on it costs about half
 * of one with a published port on podman, and the published-port mode has its own lifecycle, restore
 * and list tests in backend.test.ts. The kit's tests are independent (own names and labels), so they
 * run concurrently: the engine's waits overlap (about 20 s instead of 55 s here).
 */
import { afterAll, beforeAll } from "vitest";
import { describeComputeBackend } from "@calipso/sdk/testing";
import { dockerBackend } from "./definition.ts";
import { BUSYBOX, countLabelled, describeEngine, engine, testConfig } from "./test-support/engine.ts";

const network = `calipso-kit-${process.pid}`;

describeEngine("docker backend conformance", () => {
  beforeAll(async () => {
    await engine.createNetwork({ Name: network, Internal: true });
  });
  afterAll(async () => {
    await engine.getNetwork(network).remove();
  });
  describeComputeBackend({
    definition: dockerBackend,
    config: testConfig({ network }),
    invalidConfigs: [
      { config: { hostIp: "0.0.0.0" }, field: "hostIp" },
      { config: { host: "tcp://10.1.2.3:2375" }, field: "host" },
      { config: { socketPath: "relative.sock" }, field: "socketPath" },
      { config: { pidsLimit: 1 }, field: "pidsLimit" },
      { config: { sockePath: "/typo.sock" }, field: "sockePath" },
    ],
    workload: { image: BUSYBOX, command: ["httpd", "-f", "-p", "5901", "-h", "/tmp"] },
    inspect: {
      exists: async (handle) =>
        engine
          .getContainer(handle.id)
          .inspect()
          .then(
            () => true,
            (error: { statusCode?: number }) => {
              if (error.statusCode === 404) return false;
              throw error;
            },
          ),
      count: countLabelled,
    },
  });
}, { concurrent: true });
