/** @module `calipso config-schema`: the configuration's JSON Schema (for editors), composed from the providers. */
import { z } from "zod";
import { PROVIDER_KINDS } from "@calipso/core";
import type { ProviderDefinition, ProviderKind } from "@calipso/core";
import { BUILTIN_ALIASES, resolveProvider } from "../providers.ts";
import type { LoadedConfig } from "./load.ts";
import { catalogueSchema, composeSchema } from "./schema.ts";

function toJson(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
}

/** The JSON Schema of a loaded configuration (each slot with its provider's schema). */
export function configJsonSchema(loaded: LoadedConfig): Record<string, unknown> {
  return { title: "Calipso configuration", ...toJson(composeSchema(loaded.config, loaded.providers)) };
}

/** The JSON Schema for any configuration of the built-in providers that are installed. */
export async function catalogueJsonSchema(): Promise<Record<string, unknown>> {
  const catalogue: Partial<Record<ProviderKind, { alias: string; definition: ProviderDefinition<ProviderKind> }[]>> = {};
  for (const alias of Object.keys(BUILTIN_ALIASES)) {
    for (const kind of PROVIDER_KINDS) {
      try {
        const definition = await resolveProvider(alias, kind, { path: alias });
        (catalogue[kind] ??= []).push({ alias, definition });
      } catch {
        // not installed, or no provider of this kind
      }
    }
  }
  return { title: "Calipso configuration", ...toJson(catalogueSchema(catalogue)) };
}
