/** The configuration table in docs/providers/oidc.md names every key of the schema (regenerate it when this fails). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { OidcConfigSchema } from "./config.ts";

type Json = { properties?: Record<string, Json> };
function keys(schema: Json, prefix = ""): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([k, v]) => [prefix + k, ...keys(v, `${prefix}${k}.`)]);
}

describe("docs", () => {
  it("[oidc/docs-01] every config key is in the docs' configuration table", () => {
    const doc = readFileSync(new URL("../../../docs/providers/oidc.md", import.meta.url), "utf8");
    const all = keys(z.toJSONSchema(OidcConfigSchema, { io: "input", unrepresentable: "any" }) as Json);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((k) => !doc.includes(`| \`${k}\` |`))).toEqual([]);
  });
});
