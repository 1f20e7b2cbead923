/** @module `define*()`: the one way to declare a Calipso provider. */
import { defineProvider } from "@calipso/core";
import type { ProviderDefinition, ProviderInput } from "@calipso/core";
import type { z } from "zod";

/**
 * Declares an authentication provider.
 *
 * @example
 * export default defineAuthProvider({
 *   name: "my-office",
 *   configSchema: z.strictObject({ url: z.url().describe("Login endpoint") }),
 *   capabilities: { password: true },
 *   create: (config, ctx) => ({ password: async (u, p) => ({ username: u }) }),
 * });
 */
export function defineAuthProvider<S extends z.ZodType>(input: ProviderInput<"auth", S>): ProviderDefinition<"auth", S> {
  return defineProvider("auth", input);
}

/** Declares an experiment source. */
export function defineExperimentSource<S extends z.ZodType>(input: ProviderInput<"experiments", S>): ProviderDefinition<"experiments", S> {
  return defineProvider("experiments", input);
}

/** Declares a compute backend. */
export function defineComputeBackend<S extends z.ZodType>(input: ProviderInput<"compute", S>): ProviderDefinition<"compute", S> {
  return defineProvider("compute", input);
}

/** Declares a remote desktop gateway. */
export function defineRemoteDesktop<S extends z.ZodType>(input: ProviderInput<"desktop", S>): ProviderDefinition<"desktop", S> {
  return defineProvider("desktop", input);
}

/** Declares a store. */
export function defineStore<S extends z.ZodType>(input: ProviderInput<"store", S>): ProviderDefinition<"store", S> {
  return defineProvider("store", input);
}
