/**
 * @module Loading a configuration: YAML or JSON file → `${…}` substitution → the server's schema →
 * provider resolution → the composed schema (each provider's `configSchema`). Errors name the path.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { AppError, formatIssues } from "@calipso/core";
import type { ProviderDefinition } from "@calipso/core";
import type { ModuleImporter } from "../providers.ts";
import { resolveProvider } from "../providers.ts";
import { BaseConfigSchema, composeSchema } from "./schema.ts";
import type { BaseConfig, ResolvedProviders } from "./schema.ts";
import { substitute } from "./substitute.ts";

/** A loaded, validated configuration with its providers. */
export interface LoadedConfig {
  readonly config: BaseConfig;
  readonly providers: ResolvedProviders;
  /** Folder of the config file: relative paths resolve against it. */
  readonly baseDir: string;
}

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly importer?: ModuleImporter;
}

/** Parses YAML (a superset of JSON) text; syntax errors become INVALID_CONFIG with the line. */
export function parseConfigText(text: string, source: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (cause) {
    throw new AppError("INVALID_CONFIG", { detail: `${source}: ${(cause as Error).message.split("\n")[0]}`, cause });
  }
}

/** Validates a raw (already substituted) config object and resolves its providers. */
export async function loadConfigObject(raw: unknown, baseDir: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const base = BaseConfigSchema.safeParse(raw);
  if (!base.success) throw new AppError("INVALID_CONFIG", { detail: formatIssues(base.error), meta: { issues: issueList(base.error) }, cause: base.error });
  const c = base.data;
  const opts = (path: string) => ({ path, baseDir, ...(options.importer ? { importer: options.importer } : {}) });
  const compute: Record<string, ProviderDefinition<"compute">> = {};
  for (const [name, ref] of Object.entries(c.compute)) compute[name] = await resolveProvider(ref.provider, "compute", opts(`compute.${name}.provider`));
  const providers: ResolvedProviders = {
    store: await resolveProvider(c.store.provider, "store", opts("store.provider")),
    auth: await resolveProvider(c.auth.provider, "auth", opts("auth.provider")),
    experiments: await resolveProvider(c.experiments.provider, "experiments", opts("experiments.provider")),
    compute,
    ...(c.desktop ? { desktop: await resolveProvider(c.desktop.provider, "desktop", opts("desktop.provider")) } : {}),
  };
  const full = composeSchema(c, providers).safeParse(raw);
  if (!full.success) throw new AppError("INVALID_CONFIG", { detail: formatIssues(full.error), meta: { issues: issueList(full.error) }, cause: full.error });
  for (const t of c.templates) {
    if (!compute[t.backend]) throw new AppError("INVALID_CONFIG", { detail: `templates: '${t.name}' names compute backend '${t.backend}', which is not configured` });
  }
  return { config: c, providers, baseDir };
}

/** Loads a configuration file (YAML or JSON). */
export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new AppError("INVALID_CONFIG", { detail: `Cannot read the configuration file ${path}`, cause });
  }
  const baseDir = dirname(path);
  const raw = substitute(parseConfigText(text, path), { env: options.env ?? process.env, baseDir });
  return loadConfigObject(raw, baseDir, options);
}

function issueList(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}
