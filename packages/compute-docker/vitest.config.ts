import { defineProject } from "vitest/config";
import { sourceConditions } from "../../vitest.shared.ts";

export default defineProject({
  ssr: { resolve: { conditions: sourceConditions } },
  // Real-engine tests: a container start takes 0.2-1.5 s on a busy 2-core machine.
  test: { name: "compute-docker", environment: "node", include: ["src/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 30_000 },
});
