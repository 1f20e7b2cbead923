/** The compute conformance suite of `@calipso/sdk/testing`, against the real engine (podman in CI). */
import { describeComputeBackend } from "@calipso/sdk/testing";
import { dockerBackend } from "./definition.ts";
import { BUSYBOX, countLabelled, describeEngine, engine, testConfig } from "./test-support/engine.ts";

describeEngine("docker backend conformance", () => {
  describeComputeBackend({
    definition: dockerBackend,
    config: testConfig(),
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
});
