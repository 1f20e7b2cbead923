#!/usr/bin/env node
// Prints the Markdown configuration table of a provider's config schema (for docs/providers/*.md).
// Usage: node --import tsx scripts/config-table.mjs <module path> <export name>
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { z } from "zod";

const [file, name = "default"] = process.argv.slice(2);
if (!file) {
  console.error("usage: node --import tsx scripts/config-table.mjs <module> [export]");
  process.exit(2);
}
const mod = await import(pathToFileURL(resolve(file)).href);
const value = mod[name];
const schema = value?.configSchema ?? value;
const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
const rows = ["| key | type | default | description |", "| --- | --- | --- | --- |"];
const esc = (s) => String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
function typeOf(v) {
  if (v.type) return Array.isArray(v.type) ? v.type.join(", ") : v.type;
  const alts = v.anyOf ?? v.oneOf;
  if (alts) return "one of: " + alts.map((a) => Object.keys(a.properties ?? {}).join("/") || a.type || a.const).join(" | ");
  return "";
}
function walk(s, prefix) {
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    const required = (s.required ?? []).includes(k) && v.default === undefined ? " (required)" : "";
    rows.push(`| \`${key}\` | ${esc(typeOf(v))}${required} | ${v.default !== undefined ? "`" + esc(JSON.stringify(v.default)) + "`" : ""} | ${esc(v.description ?? "")} |`);
    if (v.type === "object" && v.properties) walk(v, key);
  }
}
walk(json, "");
console.log(rows.join("\n"));
