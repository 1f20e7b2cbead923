/**
 * @module `define*()`: the one way to declare a Calipso provider. Each helper brands the kind,
 * checks the name (kebab-case), the config schema (a zod schema; object schemas must be strict),
 * the declared capabilities and `create`, and returns a deeply frozen definition.
 */
import { AppError, defineProvider } from "@calipso/core";
import type { ProviderDefinition, ProviderInput, ProviderKind } from "@calipso/core";
import { z } from "zod";

function refuse(name: unknown, detail: string): never {
  throw new AppError("INVALID_CONFIG", { detail: `Provider ${JSON.stringify(name)}: ${detail}` });
}

/** Checks what `defineProvider` of core does not, and freezes list-valued capabilities. */
function define<K extends ProviderKind, S extends z.ZodType>(kind: K, input: ProviderInput<K, S>): ProviderDefinition<K, S> {
  if (typeof input !== "object" || input === null) refuse(undefined, `define${kind}(): expected a definition object`);
  const { name, configSchema, capabilities, description } = input;
  if (configSchema instanceof z.ZodObject && !(configSchema._zod.def.catchall instanceof z.ZodNever)) {
    refuse(name, "configSchema must be strict (z.strictObject) so that misspelt keys are refused");
  }
  if (typeof capabilities !== "object" || capabilities === null || Array.isArray(capabilities)) {
    refuse(name, "capabilities must be an object (use {} when the provider declares none)");
  }
  if (description !== undefined && typeof description !== "string") refuse(name, "description must be a string");
  const frozen = Object.fromEntries(
    Object.entries(capabilities).map(([key, value]) => [key, Array.isArray(value) ? Object.freeze([...value]) : value]),
  ) as typeof capabilities;
  return defineProvider(kind, { ...input, capabilities: frozen });
}

/**
 * Declares an authentication provider.
 *
 * @throws AppError `INVALID_CONFIG` when the name is not kebab-case, the schema is not a strict zod
 *   schema, `capabilities` is not an object or `create` is not a function.
 * @example
 * export const myOffice = defineAuthProvider({
 *   name: "my-office",
 *   configSchema: z.strictObject({ url: z.url().describe("Login endpoint") }),
 *   capabilities: { password: true },
 *   create: (config, ctx) => ({ password: async (username, password) => ({ username }) }),
 * });
 */
export function defineAuthProvider<S extends z.ZodType>(input: ProviderInput<"auth", S>): ProviderDefinition<"auth", S> {
  return define("auth", input);
}

/**
 * Declares an experiment source.
 *
 * @example
 * export const catalogue = defineExperimentSource({
 *   name: "my-catalogue",
 *   configSchema: z.strictObject({ url: z.url().describe("Catalogue API") }),
 *   capabilities: { remote: true },
 *   create: (config, ctx) => createCatalogueClient(config, ctx),
 * });
 */
export function defineExperimentSource<S extends z.ZodType>(input: ProviderInput<"experiments", S>): ProviderDefinition<"experiments", S> {
  return define("experiments", input);
}

/**
 * Declares a compute backend.
 *
 * @example
 * export const slurm = defineComputeBackend({
 *   name: "slurm",
 *   configSchema: z.strictObject({ url: z.url().describe("slurmrestd endpoint") }),
 *   capabilities: { progress: true, resourceLimits: ["cpu", "memory"] },
 *   create: (config, ctx) => createSlurmBackend(config, ctx),
 * });
 */
export function defineComputeBackend<S extends z.ZodType>(input: ProviderInput<"compute", S>): ProviderDefinition<"compute", S> {
  return define("compute", input);
}

/**
 * Declares a remote desktop gateway.
 *
 * @example
 * export const gateway = defineRemoteDesktop({
 *   name: "my-gateway",
 *   configSchema: z.strictObject({ url: z.url().describe("Gateway base URL") }),
 *   capabilities: { protocols: ["vnc", "rdp"] },
 *   create: (config, ctx) => createGateway(config, ctx),
 * });
 */
export function defineRemoteDesktop<S extends z.ZodType>(input: ProviderInput<"desktop", S>): ProviderDefinition<"desktop", S> {
  return define("desktop", input);
}

/**
 * Declares a store.
 *
 * @example
 * export const memory = defineStore({
 *   name: "my-store",
 *   configSchema: z.strictObject({}),
 *   capabilities: { transactions: true },
 *   create: () => createMyStore(),
 * });
 */
export function defineStore<S extends z.ZodType>(input: ProviderInput<"store", S>): ProviderDefinition<"store", S> {
  return define("store", input);
}
