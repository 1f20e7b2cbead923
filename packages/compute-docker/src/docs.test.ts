/** docs/providers/docker.md stays in step with the config schema (regenerate its table when this fails). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DockerConfigSchema } from "./config.ts";

type Json = { properties?: Record<string, Json>; default?: unknown };

/** `key` → the default as the table prints it (or "" when there is none). */
function rows(schema: Json, prefix = ""): [string, string][] {
  return Object.entries(schema.properties ?? {}).flatMap(([k, v]): [string, string][] => [
    [prefix + k, v.default !== undefined ? `\`${JSON.stringify(v.default)}\`` : ""],
    ...rows(v, `${prefix}${k}.`),
  ]);
}

describe("docs", () => {
  it("every config key is in the configuration table of docs/providers/docker.md, with its current default", () => {
    const doc = readFileSync(new URL("../../../docs/providers/docker.md", import.meta.url), "utf8");
    const all = rows(z.toJSONSchema(DockerConfigSchema, { io: "input", unrepresentable: "any" }) as Json);
    expect(all.length).toBeGreaterThan(25);
    const missing = all.filter(([key, def]) => !doc.split("\n").some((line) => line.startsWith(`| \`${key}\` |`) && line.includes(`| ${def} |`)));
    expect(missing.map(([k]) => k)).toEqual([]);
  });
});
