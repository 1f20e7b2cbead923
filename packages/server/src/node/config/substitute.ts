/**
 * @module `${ENV}` and `${file:/path}` substitution in configuration values. It runs on the parsed
 * values (never on the YAML text), so a secret can never change the document's structure.
 * `${NAME:-fallback}` gives a default; `$${` writes a literal `${`. A value that is exactly one
 * `${NAME}` becomes a number or boolean when the variable holds one (`port: ${PORT}`).
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { AppError } from "@calipso/core";

const PATTERN = /\$\$\{|\$\{([^}]*)\}/g;

/** Where substitution reads from (injectable for tests). */
export interface SubstitutionSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory against which relative `${file:…}` paths resolve. */
  readonly baseDir: string;
  readonly readFile?: (path: string) => string;
}

function substituteString(value: string, path: string, sources: SubstitutionSources): string {
  return value.replace(PATTERN, (match, expr: string | undefined) => {
    if (match === "$${") return "${";
    const e = (expr ?? "").trim();
    if (e.startsWith("file:")) {
      const file = e.slice(5).trim();
      const full = isAbsolute(file) ? file : resolve(sources.baseDir, file);
      try {
        return (sources.readFile ?? ((p) => readFileSync(p, "utf8")))(full).replace(/\r?\n$/, "");
      } catch (cause) {
        throw new AppError("INVALID_CONFIG", { detail: `${path}: cannot read ${full} for \${file:…}`, cause });
      }
    }
    const [name, fallback] = e.includes(":-") ? [e.slice(0, e.indexOf(":-")), e.slice(e.indexOf(":-") + 2)] : [e, undefined];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new AppError("INVALID_CONFIG", { detail: `${path}: bad substitution \${${e}}` });
    const v = sources.env[name];
    if (v !== undefined && v !== "") return v;
    if (fallback !== undefined) return fallback;
    throw new AppError("INVALID_CONFIG", { detail: `${path}: environment variable ${name} is not set` });
  });
}

/** Returns a copy of `value` with every string substituted; errors name the config path. */
export function substitute(value: unknown, sources: SubstitutionSources, path = ""): unknown {
  if (typeof value === "string") {
    const out = substituteString(value, path || "(root)", sources);
    // A value that is exactly one `${ENV}` takes the variable's type when it is a number or boolean.
    if (out !== value && /^\$\{(?!file:)[^}]*\}$/.test(value.trim())) {
      if (/^-?\d+(\.\d+)?$/.test(out)) return Number(out);
      if (out === "true" || out === "false") return out === "true";
    }
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, sources, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, sources, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}
