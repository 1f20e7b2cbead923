/** The configuration table in docs/providers/facility-http.md names every key of the schema (regenerate it when this fails). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FacilityHttpConfigSchema } from "./config.ts";

type Json = { properties?: Record<string, Json> };
function keys(schema: Json, prefix = ""): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([k, v]) => [prefix + k, ...keys(v, `${prefix}${k}.`)]);
}

describe("docs", () => {
  it("[fh/docs-01] every config key is in the docs' configuration table", () => {
    const doc = readFileSync(new URL("../../../docs/providers/facility-http.md", import.meta.url), "utf8");
    const all = keys(z.toJSONSchema(FacilityHttpConfigSchema, { io: "input", unrepresentable: "any" }) as Json);
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((k) => !doc.includes(`| \`${k}\` |`))).toEqual([]);
  });
});
