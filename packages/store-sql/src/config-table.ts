/** @module Markdown table of a config schema (name, type, default, description), generated with `z.toJSONSchema`. */
import { z } from "zod";

interface JsonSchema {
  type?: string | string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(" \\| ");
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" \\| ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  const t = Array.isArray(s.type) ? s.type.join(" \\| ") : (s.type ?? "any");
  if (t === "integer" && (s.minimum !== undefined || s.maximum !== undefined)) return `integer ${s.minimum ?? ""}…${s.maximum ?? ""}`;
  return t;
}

/** Rows for every field; nested objects (also inside unions) are flattened as `parent.child`. */
function rows(schema: JsonSchema, prefix = ""): string[] {
  const out: string[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    const def = prop.default === undefined ? "—" : `\`${JSON.stringify(prop.default)}\``;
    const desc = (prop.description ?? "").replaceAll("|", "\\|");
    out.push(`| \`${path}\` | ${typeOf(prop)} | ${def} | ${desc} |`);
    for (const member of [prop, ...(prop.anyOf ?? [])]) if (member.properties) out.push(...rows(member, `${path}.`));
  }
  return out;
}

/** The Markdown configuration table of a zod schema. */
export function configTable(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return ["| Field | Type | Default | Description |", "|---|---|---|---|", ...rows(json)].join("\n");
}
