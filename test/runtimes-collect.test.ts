/**
 * @module The test:runtimes collector: which test files count as runtime-neutral, and that a file reaching a Node
 * built-in through its imports is set aside with the reason, never silently passed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkBundles, nodeOnlyReason } from "../scripts/runtimes/collect.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shim = join(root, "scripts/runtimes/vitest-shim.mjs");

describe("test:runtimes collector", () => {
  it("[runtimes/collect-01] sets aside Node-only test files, naming the reason", () => {
    const nodeOnly: Array<[string, RegExp]> = [
      ['import { readFileSync } from "node:fs";', /node:\*/],
      ['import fs from "fs";', /built-in "fs"/],
      ["const port = process.env.PORT;", /process/],
      ['const b = Buffer.from("x");', /Buffer/],
      ["const here = __dirname;", /__dirname/],
      ['vi.mock("./x.ts");', /module mocking/],
      ["vi.useFakeTimers();", /fake timers/],
      ["expect(x).toMatchInlineSnapshot();", /snapshots/],
      ['import { inject } from "vitest";', /inject/],
      ["// @calipso-runtimes node-only: spawns a child process", /marked node-only: spawns a child process/],
    ];
    for (const [source, reason] of nodeOnly) expect(nodeOnlyReason(source), source).toMatch(reason);
  });

  it("[runtimes/collect-02] keeps Web-standard test files", () => {
    const neutral = [
      'import { describe, it, expect, vi } from "vitest";\nconst f = vi.fn();',
      'const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("x"));',
      "const o = { process: 1 }; o.process;",
      'import { createTestCalipso } from "@calipso/core/testing";',
      "const inject = (x: number) => x; inject(1);",
    ];
    for (const source of neutral) expect(nodeOnlyReason(source), source).toBeNull();
  });

  it("[runtimes/collect-03] a file that reaches a Node built-in only through its imports is set aside, a broken one is an error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-collect-"));
    try {
      writeFileSync(join(dir, "helper.ts"), 'import { sep } from "path";\nexport const s = sep;\n');
      writeFileSync(join(dir, "indirect.test.ts"), 'import { it } from "vitest";\nimport { s } from "./helper.ts";\nit("x", () => void s);\n');
      writeFileSync(join(dir, "broken.test.ts"), 'import { it } from "vitest";\nit("x", () => { const = 1 });\n');
      writeFileSync(join(dir, "fine.test.ts"), 'import { it, expect } from "vitest";\nit("x", () => expect(1).toBe(1));\n');
      const files = ["indirect.test.ts", "broken.test.ts", "fine.test.ts"].map((f) => join(dir, f));
      const result = await checkBundles(root, shim, files);
      expect(result.ok).toEqual([join(dir, "fine.test.ts")]);
      expect(result.excluded).toEqual([{ file: join(dir, "indirect.test.ts"), reason: expect.stringMatching(/Node built-in "path"/) }]);
      expect(result.errors.map((e) => e.file)).toEqual([join(dir, "broken.test.ts")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
