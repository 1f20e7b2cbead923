import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configTable } from "./config-doc.ts";

const DOC = new URL("../../../docs/providers/guacamole.md", import.meta.url);

describe("docs/providers/guacamole.md", () => {
  it("[docs-01] embeds the configuration tables generated from the schemas (UPDATE_DOCS=1 rewrites them)", () => {
    let text = readFileSync(DOC, "utf8");
    for (const mode of ["jdbc", "json", "tunnel"] as const) {
      const re = new RegExp(`(<!-- config:${mode} -->\\n)[\\s\\S]*?(<!-- /config:${mode} -->)`);
      expect(text, `markers for ${mode}`).toMatch(re);
      const updated = text.replace(re, (_m, open: string, close: string) => `${open}${configTable(mode)}\n${close}`);
      if (process.env.UPDATE_DOCS === "1") text = updated;
      else expect(text, `config table of ${mode} is stale: run UPDATE_DOCS=1 npx vitest run --project desktop-guacamole config-doc`).toBe(updated);
    }
    if (process.env.UPDATE_DOCS === "1") writeFileSync(DOC, text);
  });
});
