import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isAppError, isProviderDefinition } from "@calipso/core";
import { defineAuthProvider, defineComputeBackend, defineExperimentSource, defineRemoteDesktop, defineStore } from "./index.ts";

const schema = z.strictObject({ url: z.string().default("http://x.test").describe("Endpoint") });
const compute = () => ({
  name: "my-backend",
  configSchema: schema,
  capabilities: { progress: true, resourceLimits: ["cpu" as const] },
  create: () => ({ start: async () => Promise.reject(new Error("unused")), status: async () => ({ state: "stopped" as const }), stop: async () => {}, list: async () => [] }),
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("define*()", () => {
  it("brands each helper's definition with its kind", () => {
    const common = { configSchema: z.strictObject({}), capabilities: {} };
    expect(defineAuthProvider({ ...common, name: "a", create: () => ({}) }).kind).toBe("auth");
    expect(defineExperimentSource({ ...common, name: "e", create: () => ({ listForUser: async () => [], get: async () => null, isMember: async () => false }) }).kind).toBe("experiments");
    expect(defineComputeBackend(compute()).kind).toBe("compute");
    expect(defineRemoteDesktop({ ...common, name: "d", create: () => ({}) as never }).kind).toBe("desktop");
    expect(defineStore({ ...common, name: "s", create: () => ({}) as never }).kind).toBe("store");
    const def = defineComputeBackend(compute());
    expect(isProviderDefinition(def, "compute")).toBe(true);
    expect(isProviderDefinition(def, "desktop")).toBe(false);
  });

  it("keeps the name, description, schema and capabilities", () => {
    const def = defineComputeBackend({ ...compute(), description: "One line" });
    expect(def.name).toBe("my-backend");
    expect(def.description).toBe("One line");
    expect(def.configSchema).toBe(schema);
    expect(def.capabilities).toEqual({ progress: true, resourceLimits: ["cpu"] });
  });

  it("freezes the definition, its capabilities and list-valued capabilities", () => {
    const input = compute();
    const def = defineComputeBackend(input);
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.capabilities)).toBe(true);
    expect(Object.isFrozen(def.capabilities.resourceLimits)).toBe(true);
    input.capabilities.resourceLimits.push("memory" as "cpu");
    expect(def.capabilities.resourceLimits, "a later change to the input must not leak in").toEqual(["cpu"]);
  });

  for (const name of ["MyBackend", "my_backend", "-x", "x-", "my--backend", "", "1abc"]) {
    it(`refuses the name ${JSON.stringify(name)} with INVALID_CONFIG`, () => {
      const error = thrown(() => defineComputeBackend({ ...compute(), name }));
      expect(isAppError(error, "INVALID_CONFIG")).toBe(true);
    });
  }

  it("refuses a config schema that is not a zod schema", () => {
    const error = thrown(() => defineComputeBackend({ ...compute(), configSchema: { parse: () => ({}) } as unknown as z.ZodType }));
    expect(isAppError(error, "INVALID_CONFIG")).toBe(true);
  });

  it("refuses a non-strict object schema, naming the fix", () => {
    const error = thrown(() => defineComputeBackend({ ...compute(), configSchema: z.object({ url: z.string().describe("u") }) }));
    expect(isAppError(error, "INVALID_CONFIG")).toBe(true);
    expect((error as { detail?: string }).detail).toContain("z.strictObject");
    expect(thrown(() => defineComputeBackend({ ...compute(), configSchema: z.looseObject({}) }))).toMatchObject({ code: "INVALID_CONFIG" });
  });

  it("accepts a non-object zod schema (e.g. a union of strict objects)", () => {
    const union = z.union([z.strictObject({ socket: z.string().describe("s") }), z.strictObject({ url: z.string().describe("u") })]);
    expect(defineComputeBackend({ ...compute(), configSchema: union }).configSchema).toBe(union);
  });

  it("refuses missing capabilities, a non-function create and a non-string description", () => {
    for (const bad of [
      { ...compute(), capabilities: undefined as never },
      { ...compute(), capabilities: [] as never },
      { ...compute(), create: "nope" as never },
      { ...compute(), description: 42 as never },
    ]) {
      expect(isAppError(thrown(() => defineComputeBackend(bad)), "INVALID_CONFIG")).toBe(true);
    }
  });

  it("refuses a non-object definition", () => {
    expect(isAppError(thrown(() => defineStore(null as never)), "INVALID_CONFIG")).toBe(true);
  });
});
