import { defineProject } from "vitest/config";
import { sourceConditions } from "../../vitest.shared.ts";

export default defineProject({
  ssr: { resolve: { conditions: sourceConditions } },
  test: { name: "example-provider-template", environment: "node", include: ["src/**/*.test.ts"] },
});
