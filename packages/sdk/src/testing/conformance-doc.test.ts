// docs/plugins/conformance.md has exactly one anchor per test id of the kit (ids read from the kit's sources).
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";

const KINDS = ["compute", "desktop", "auth", "experiments", "store"] as const;
const ID = /(?:test|testIf)\(\s*(?:"[a-zA-Z]+",\s*[^,]+?,\s*)?"([a-zA-Z]+-\d+)"/g;

function idsIn(dir: string): Set<string> {
  const url = new URL(`./${dir}/`, import.meta.url);
  const ids = new Set<string>();
  for (const file of readdirSync(url).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
    for (const m of readFileSync(new URL(file, url), "utf8").matchAll(ID)) ids.add(m[1]!);
  }
  return ids;
}

describe("docs/plugins/conformance.md", () => {
  it("has one anchor per kit test id, and none for ids that do not exist", () => {
    const doc = readFileSync(new URL("../../../../docs/plugins/conformance.md", import.meta.url), "utf8");
    const anchors = [...doc.matchAll(/<a id="([a-z]+-[a-zA-Z]+-\d+)"><\/a>/g)].map((m) => m[1]!);
    const shared = idsIn("shared");
    expect(shared.size).toBeGreaterThan(5);
    const expected = KINDS.flatMap((kind) => [...new Set([...shared, ...idsIn(kind)])].map((id) => `${kind}-${id}`));
    expect(expected.length).toBeGreaterThan(100);
    expect([...anchors].sort()).toEqual([...expected].sort());
  });
});
