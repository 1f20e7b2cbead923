/** The configuration tables in docs/providers/static.md name every key of the schemas (regenerate them when this fails). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { StaticConfigSchema, StaticExperimentSchema, StaticMembershipSchema, StaticSessionSchema, StaticUserSchema } from "./config.ts";

type Json = { properties?: Record<string, Json> };
function keys(schema: Json, prefix = ""): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([k, v]) => [prefix + k, ...keys(v, `${prefix}${k}.`)]);
}

describe("docs", () => {
  it("[static/docs-01] every config key is in the docs' configuration tables", () => {
    const doc = readFileSync(new URL("../../../../docs/providers/static.md", import.meta.url), "utf8");
    const all = [StaticConfigSchema, StaticUserSchema, StaticExperimentSchema, StaticSessionSchema, StaticMembershipSchema].flatMap((s) =>
      keys(z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Json),
    );
    expect(all.length).toBeGreaterThan(15);
    expect(all.filter((k) => !doc.includes(`| \`${k}\` |`))).toEqual([]);
  });
});
