import { defineProject } from "vitest/config";
import { sourceConditions } from "../vitest.shared.ts";

export default defineProject({
  ssr: { resolve: { conditions: sourceConditions } },
  test: { name: "cross-package", environment: "node", include: ["**/*.test.ts"], testTimeout: 60_000 },
});
