/**
 * @module Provider resolution: a built-in alias (`docker`, `sqlite`, `static`, …) or any module
 * specifier whose default export (or a named export) is a provider definition of the slot's kind.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AppError, isProviderDefinition } from "@calipso/core";
import type { ProviderDefinition, ProviderKind } from "@calipso/core";

/** Built-in aliases: module, and the definition name to prefer in it. */
export const BUILTIN_ALIASES: Readonly<Record<string, { readonly module: string; readonly name?: string; readonly note: string }>> = {
  docker: { module: "@calipso/compute-docker", note: "Docker Engine API (also podman's)" },
  kubernetes: { module: "@calipso/compute-kubernetes", note: "Kubernetes pods" },
  guacamole: { module: "@calipso/desktop-guacamole", note: "Apache Guacamole gateway" },
  mysql: { module: "@calipso/store-sql", name: "mysql", note: "MySQL/MariaDB store" },
  sqlite: { module: "@calipso/store-sql", name: "sqlite", note: "SQLite store (embedded default)" },
  "facility-http": { module: "@calipso/facility-http", note: "User-office REST API" },
  oidc: { module: "@calipso/auth-oidc", note: "OpenID Connect login" },
  static: { module: "@calipso/core", name: "static", note: "Users and experiments from the config" },
  memory: { module: "@calipso/core/testing", name: "memory", note: "In-memory store (demos and tests; state is lost on restart)" },
  fake: { module: "@calipso/core/testing", note: "In-memory fakes (demos and tests; nothing real runs)" },
};

/** Imports a module by specifier; relative paths resolve against `baseDir` (the config file's folder). */
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

const defaultImporter =
  (baseDir: string): ModuleImporter =>
  (specifier) => {
    const target = specifier.startsWith(".") || isAbsolute(specifier) ? pathToFileURL(isAbsolute(specifier) ? specifier : resolve(baseDir, specifier)).href : specifier;
    return import(target) as Promise<Record<string, unknown>>;
  };

/** The definition of `kind` in a module: the default export first, then named exports; only the one called `name` when given. */
export function pickDefinition<K extends ProviderKind>(mod: Record<string, unknown>, kind: K, name?: string): ProviderDefinition<K> | undefined {
  const candidates = [mod["default"], ...Object.entries(mod).filter(([k]) => k !== "default").map(([, v]) => v)].filter((v): v is ProviderDefinition<K> =>
    isProviderDefinition(v, kind),
  );
  return name !== undefined ? candidates.find((d) => d.name === name) : candidates[0];
}

/**
 * Resolves the provider of a config slot. Errors are `INVALID_CONFIG` naming the path and saying
 * what was found instead (missing package, wrong kind).
 */
export async function resolveProvider<K extends ProviderKind>(
  provider: string,
  kind: K,
  options: { path: string; baseDir?: string; importer?: ModuleImporter },
): Promise<ProviderDefinition<K>> {
  const importer = options.importer ?? defaultImporter(options.baseDir ?? process.cwd());
  const alias = BUILTIN_ALIASES[provider];
  const specifier = alias?.module ?? provider;
  let mod: Record<string, unknown>;
  try {
    mod = await importer(specifier);
  } catch (cause) {
    const hint = alias ? `the built-in provider '${provider}' needs the package ${specifier}; install it` : `cannot import '${specifier}'`;
    throw new AppError("INVALID_CONFIG", { detail: `${options.path}: ${hint}`, cause });
  }
  // `static` exports one definition per kind through `staticDefinitions`.
  const fromMap = (mod["staticDefinitions"] as Record<string, unknown> | undefined)?.[kind];
  const found = provider === "static" && isProviderDefinition(fromMap, kind) ? fromMap : pickDefinition(mod, kind, alias?.name);
  if (!found) {
    const kinds = Object.values(mod)
      .filter((v) => isProviderDefinition(v))
      .map((v) => `${(v as ProviderDefinition).kind} '${(v as ProviderDefinition).name}'`);
    throw new AppError("INVALID_CONFIG", {
      detail: `${options.path}: '${provider}' has no ${kind} provider${kinds.length ? ` (it has ${[...new Set(kinds)].join(", ")})` : " (no export is a provider definition made by define*())"}`,
    });
  }
  return found;
}
