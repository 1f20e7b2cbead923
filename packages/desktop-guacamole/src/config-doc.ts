/**
 * @module Markdown tables of the configuration, generated from the zod schemas with
 * `z.toJSONSchema` (docs/providers/guacamole.md embeds them; a test keeps them in sync).
 */
import { z } from "zod";
import { JdbcConfigSchema, JsonConfigSchema, TunnelConfigSchema } from "./config.ts";

interface JsonSchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  additionalProperties?: JsonSchemaNode | boolean;
}

function typeOf(node: JsonSchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  if (node.type === "object" && node.additionalProperties && typeof node.additionalProperties === "object") return "map of string";
  let t = Array.isArray(node.type) ? node.type.join(" \\| ") : (node.type ?? "any");
  if (node.format) t += ` (${node.format})`;
  if (node.minimum !== undefined || node.maximum !== undefined) t += ` ${node.minimum ?? ""}–${node.maximum ?? ""}`;
  return t;
}

function rows(node: JsonSchemaNode, prefix: string, out: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const required = (node.required ?? []).includes(key) && child.default === undefined;
    const def = child.default === undefined ? (required ? "required" : "") : `\`${JSON.stringify(child.default)}\``;
    out.push(`| \`${path}\` | ${typeOf(child)} | ${def} | ${(child.description ?? "").replace(/\|/g, "\\|")} |`);
    if (child.type === "object" && child.properties) rows(child, path, out);
  }
}

/** The configuration table of one mode, as Markdown. */
export function configTable(mode: "jdbc" | "json" | "tunnel"): string {
  const schema = { jdbc: JdbcConfigSchema, json: JsonConfigSchema, tunnel: TunnelConfigSchema }[mode];
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;
  const out = ["| Field | Type | Default | Description |", "|---|---|---|---|"];
  rows(json, "", out);
  return out.join("\n");
}
