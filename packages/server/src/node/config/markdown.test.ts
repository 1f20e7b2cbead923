import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REFERENCE_BEGIN, REFERENCE_END, configReference } from "./markdown.ts";

describe("[server/config-docs] docs/guide/configuration.md", () => {
  it("embeds exactly the reference generated from the schema (every key documented)", () => {
    const doc = readFileSync(new URL("../../../../../docs/guide/configuration.md", import.meta.url), "utf8");
    const start = doc.indexOf(REFERENCE_BEGIN);
    const end = doc.indexOf(REFERENCE_END);
    expect(start).toBeGreaterThan(0);
    expect(doc.slice(start, end + REFERENCE_END.length)).toBe(configReference());
    for (const key of ["secretKey", "server.trustedProxies", "compute.<name>.provider", "background.reapIntervalSec", "templates[].backend"]) {
      expect(doc).toContain(`\`${key}\``);
    }
  });
});
