/**
 * @module The `definition` and `config` suites every kind shares: brand, name, freezing, strict and
 * described schema, known capabilities; the config instantiates, defaults apply, bad configs are refused.
 */
import { describe, expect } from "vitest";
import { PROVIDER_BRAND, isProviderDefinition } from "@calipso/core";
import type { ProviderKind } from "@calipso/core";
import { z } from "zod";
import { expectAppError, rejection } from "./errors.ts";
import type { Kit } from "./kit.ts";

/** Capability keys each kind may declare. */
export const KNOWN_CAPABILITIES: Readonly<Record<ProviderKind, readonly string[]>> = {
  auth: ["password", "federated", "redirect", "mayUseOwnResources"],
  experiments: ["remote"],
  compute: ["progress", "resourceLimits", "readiness"],
  desktop: ["list", "activity", "readOnlyAccess", "protocols"],
  store: ["multiProcess", "transactions"],
};

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const UNKNOWN_KEY = "calipsoKitUnknownKey";

type JsonSchema = { type?: unknown; properties?: Record<string, JsonSchema>; additionalProperties?: unknown; description?: string; anyOf?: JsonSchema[]; oneOf?: JsonSchema[] };

/** Paths of object properties without a description (recursively). */
function undescribed(schema: JsonSchema, prefix = ""): string[] {
  const out: string[] = [];
  for (const variant of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) out.push(...undescribed(variant, prefix));
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof child.description !== "string" || child.description.trim() === "") out.push(path);
    out.push(...undescribed(child, path));
  }
  return out;
}

/** Registers the `definition` suite of a kind. */
export function definitionSuite(kit: Kit<ProviderKind>): void {
  const { definition, kind } = kit;
  describe("definition", () => {
    kit.test("definition-01", `is branded as a ${kind} provider`, () => {
      expect(definition.brand).toBe(PROVIDER_BRAND);
      expect(definition.kind).toBe(kind);
      expect(isProviderDefinition(definition, kind)).toBe(true);
    });
    kit.test("definition-02", "has a kebab-case name", () => {
      expect(definition.name).toMatch(KEBAB);
    });
    kit.test("definition-03", "is frozen, and so are its capabilities", () => {
      expect(Object.isFrozen(definition)).toBe(true);
      expect(Object.isFrozen(definition.capabilities)).toBe(true);
    });
    kit.test("definition-04", "has a strict config schema: an unknown key is refused with INVALID_CONFIG naming it", async () => {
      expect(definition.configSchema).toBeInstanceOf(z.ZodType);
      expect(kit.config, "the kit's `config` must be an object").toBeTypeOf("object");
      const error = await rejection(kit.createWith({ ...(kit.config as object), [UNKNOWN_KEY]: true }));
      expectAppError(error, "INVALID_CONFIG");
      expect(error.detail ?? "").toContain(UNKNOWN_KEY);
    });
    kit.test("definition-05", "describes every config field (.describe())", () => {
      const json = z.toJSONSchema(definition.configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
      expect(undescribed(json), "config fields without .describe()").toEqual([]);
    });
    kit.test("definition-06", "declares only capabilities known for its kind", () => {
      const unknown = Object.keys(definition.capabilities).filter((k) => !KNOWN_CAPABILITIES[kind].includes(k));
      expect(unknown, `unknown capabilities; known for ${kind}: ${KNOWN_CAPABILITIES[kind].join(", ")}`).toEqual([]);
    });
  });
}

/** Registers the `config` suite of a kind. */
export function configSuite(kit: Kit<ProviderKind>): void {
  const { definition } = kit;
  describe("config", () => {
    kit.test("config-01", "the given config instantiates the provider", async () => {
      const instance = await kit.create();
      expect(instance).toBeTypeOf("object");
      await ("close" in instance ? instance.close() : instance.dispose?.());
    });
    kit.test("config-02", "schema defaults are applied to omitted fields", () => {
      const json = z.toJSONSchema(definition.configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema & {
        properties?: Record<string, { default?: unknown }>;
      };
      const parsed = definition.configSchema.parse(kit.config) as Record<string, unknown>;
      const given = kit.config as Record<string, unknown>;
      for (const [key, prop] of Object.entries(json.properties ?? {})) {
        if (!("default" in prop) || key in given) continue;
        expect(parsed[key], `"${key}" has a default but is missing after parsing`).not.toBeUndefined();
        const explicit = definition.configSchema.parse({ ...given, [key]: prop.default }) as Record<string, unknown>;
        expect(parsed[key], `omitted "${key}" must parse like its declared default`).toEqual(explicit[key]);
      }
    });
    if (kit.invalidConfigs.length === 0) {
      kit.test("config-03", "invalid configs are refused (none given)", () => {
        expect.fail("describe*(): list at least one entry in `invalidConfigs`");
      });
    }
    kit.invalidConfigs.forEach((invalid, i) => {
      kit.test("config-03", `invalid config #${i + 1} is refused with INVALID_CONFIG naming "${invalid.field}"`, async () => {
        const error = await rejection(kit.createWith(invalid.config));
        expectAppError(error, "INVALID_CONFIG");
        expect(error.detail ?? "", "the error detail must name the field").toContain(invalid.field);
        expect(error.provider).toBe(definition.name);
      });
    });
    kit.test("config-04", "a non-object config is refused with INVALID_CONFIG", async () => {
      const error = await rejection(kit.createWith("not an object"));
      expectAppError(error, "INVALID_CONFIG");
    });
  });
}
