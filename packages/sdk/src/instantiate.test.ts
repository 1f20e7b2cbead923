import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, isAppError, silentLogger } from "@calipso/core";
import type { ProviderContext } from "@calipso/core";
import { defineExperimentSource, instantiate } from "./index.ts";

const ctx: ProviderContext = {
  logger: silentLogger,
  fetch: () => Promise.reject(new Error("no network in this test")),
  signal: new AbortController().signal,
  now: () => new Date(0),
  secrets: { encrypt: async (s) => s, decrypt: async (s) => s },
};

const schema = z.strictObject({
  url: z.url().describe("Catalogue URL"),
  pageSize: z.number().int().min(1).default(50).describe("Page size"),
  auth: z.strictObject({ user: z.string().describe("User"), password: z.string().describe("Password") }).optional().describe("Basic auth"),
});

let received: unknown;
const catalogue = defineExperimentSource({
  name: "kit-catalogue",
  configSchema: schema,
  capabilities: { remote: true },
  create(config) {
    received = config;
    return { listForUser: async () => [], get: async () => null, isMember: async () => false };
  },
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("instantiate()", () => {
  it("parses the config once, applies defaults and passes the output to create", async () => {
    const source = await instantiate(catalogue, { url: "https://catalogue.test" }, ctx);
    expect(await source.listForUser("ada")).toEqual([]);
    expect(received).toEqual({ url: "https://catalogue.test", pageSize: 50 });
  });

  it("refuses a bad field with INVALID_CONFIG naming the kind, provider and field", async () => {
    const error = await rejection(instantiate(catalogue, { url: "https://catalogue.test", pageSize: 0 }, ctx));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.provider).toBe("kit-catalogue");
    expect(error.detail).toContain("experiments.kit-catalogue.pageSize");
    expect(error.meta?.["issues"]).toEqual([expect.objectContaining({ path: "pageSize" })]);
  });

  it("names nested fields and every failing field", async () => {
    const error = await rejection(instantiate(catalogue, { url: "nope", auth: { user: "u" } }, ctx));
    expect(error.detail).toContain("url");
    expect(error.detail).toContain("auth.password");
  });

  it("names an unknown key (strict schema) and uses the caller's path", async () => {
    const error = await rejection(instantiate(catalogue, { url: "https://c.test", pagesize: 10 }, ctx, { path: "experiments.config" }));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.detail).toContain("experiments.config");
    expect(error.detail).toContain("pagesize");
  });

  it("never echoes a secret config value in the error", async () => {
    const error = await rejection(instantiate(catalogue, { url: "https://c.test", auth: { user: "u", password: 12345678 } }, ctx));
    expect(error.detail).toContain("auth.password");
    expect(error.detail).not.toContain("12345678");
  });

  it("refuses something that is not a definition", async () => {
    const error = await rejection(instantiate({ name: "x", create: () => ({}) } as never, {}, ctx));
    expect(error.code).toBe("INVALID_CONFIG");
  });

  it("wraps a foreign error thrown by create as INVALID_CONFIG with the cause kept", async () => {
    const boom = new TypeError("cannot reach");
    const broken = defineExperimentSource({
      name: "broken",
      configSchema: z.strictObject({}),
      capabilities: {},
      create() {
        throw boom;
      },
    });
    const error = await rejection(instantiate(broken, {}, ctx));
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.provider).toBe("broken");
    expect(error.cause).toBe(boom);
  });

  it("passes an AppError thrown by an async create through unchanged", async () => {
    const refused = new AppError("PROVIDER_UNAVAILABLE", { detail: "catalogue down" });
    const down = defineExperimentSource({
      name: "down",
      configSchema: z.strictObject({}),
      capabilities: {},
      create: async () => Promise.reject(refused),
    });
    expect(await rejection(instantiate(down, undefined, ctx))).toBe(refused);
  });

  it("hands create a logger bound to the provider", async () => {
    const bindings: Record<string, unknown>[] = [];
    const logger = { ...silentLogger, child: (b: Record<string, unknown>) => (bindings.push(b), silentLogger) };
    await instantiate(catalogue, { url: "https://c.test" }, { ...ctx, logger });
    expect(bindings).toEqual([{ provider: "kit-catalogue" }]);
  });
});
