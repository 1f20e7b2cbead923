import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSecretKey, isAppError } from "@calipso/core";
import { describe, expect, it } from "vitest";
import { loadConfigFile, loadConfigObject } from "./load.ts";
import { resolveProvider } from "../providers.ts";

const base = () => ({
  secretKey: generateSecretKey(),
  store: { provider: "memory" },
  auth: { provider: "static", config: { users: [{ username: "alice" }] } },
  experiments: { provider: "static", config: {} },
  compute: { default: { provider: "fake" } },
  mounts: { dataRoot: "/srv/data", outputRoot: "/tmp/calipso-out" },
});

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(isAppError(e, "INVALID_CONFIG")).toBe(true);
    return (e as { detail: string }).detail;
  }
  throw new Error("expected INVALID_CONFIG");
}

describe("[server/config-load] configuration files", () => {
  it("loads YAML with substitution and applies the schema's defaults", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-cfg-"));
    writeFileSync(join(dir, "key"), `${generateSecretKey()}\n`);
    writeFileSync(
      join(dir, "calipso.yaml"),
      `secretKey: \${file:key}
server: { port: "\${PORT}", secureCookies: "\${SECURE:-true}" }
store: { provider: memory }
auth: { provider: static, config: { users: [{ username: alice }] } }
experiments: { provider: static }
compute:
  default: { provider: fake, config: { behaviour: { mode: ready, delayMs: 5 } } }
mounts: { dataRoot: /srv/data, outputRoot: /tmp/out }
`,
    );
    const loaded = await loadConfigFile(join(dir, "calipso.yaml"), { env: { PORT: "9090" } });
    expect(loaded.config.server.port).toBe(9090);
    expect(loaded.config.server.secureCookies).toBe(true);
    expect(loaded.config.background.reapIntervalSec).toBe(60);
    expect(loaded.providers.store.name).toBe("memory");
    expect(loaded.providers.auth.kind).toBe("auth");
    expect(loaded.providers.experiments.kind).toBe("experiments");
    expect(loaded.providers.compute["default"]!.name).toBe("fake-compute");
    expect(loaded.baseDir).toBe(dir);
  });

  it("a JSON file works too (YAML is a superset)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-cfg-"));
    writeFileSync(join(dir, "c.json"), JSON.stringify(base()));
    expect((await loadConfigFile(join(dir, "c.json"))).config.store.provider).toBe("memory");
  });

  it("errors name the path: server keys, and provider configs checked by each provider's own schema", async () => {
    expect(await errorOf(loadConfigObject({ ...base(), server: { port: "x" } }, "/"))).toMatch(/server\.port/);
    expect(await errorOf(loadConfigObject({ ...base(), compute: { default: { provider: "fake", config: { behaviour: { mode: "explode" } } } } }, "/"))).toMatch(
      /compute\.default\.config\.behaviour\.mode/,
    );
    expect(await errorOf(loadConfigObject({ ...base(), auth: { provider: "static", config: { users: [{ username: "a", colour: 1 }] } } }, "/"))).toMatch(/auth\.config\.users\.0/);
    expect(await errorOf(loadConfigObject({ ...base(), unknownKey: 1 }, "/"))).toMatch(/unknownKey/);
  });

  it("refuses a template naming an unconfigured compute backend", async () => {
    const cfg = { ...base(), templates: [{ name: "t", title: "T", kind: "desktop", image: "i", backend: "gpu", resources: { cpu: 1, memoryMiB: 1 } }] };
    expect(await errorOf(loadConfigObject(cfg, "/"))).toMatch(/'t' names compute backend 'gpu'/);
  });

  it("several compute backends by name, each resolved", async () => {
    const loaded = await loadConfigObject({ ...base(), compute: { default: { provider: "fake" }, gpu: { provider: "fake", config: { name: "gpu" } } } }, "/");
    expect(Object.keys(loaded.providers.compute)).toEqual(["default", "gpu"]);
  });
});

describe("[server/providers] provider resolution", () => {
  it("resolves built-in aliases to the right kind (static serves both auth and experiments)", async () => {
    expect((await resolveProvider("static", "auth", { path: "auth" })).kind).toBe("auth");
    expect((await resolveProvider("static", "experiments", { path: "experiments" })).kind).toBe("experiments");
    expect((await resolveProvider("fake", "desktop", { path: "desktop" })).name).toBe("fake-desktop");
  });

  it("resolves a module specifier that default-exports a definition (relative to the config folder)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-prov-"));
    const core = new URL("../../../../core/src/index.ts", import.meta.url).href;
    writeFileSync(
      join(dir, "my-compute.ts"),
      `import { defineProvider } from ${JSON.stringify(core)};
import { z } from "zod";
export default defineProvider("compute", { name: "mine", configSchema: z.strictObject({}), capabilities: {}, create: () => ({}) as never });`,
    );
    const def = await resolveProvider("./my-compute.ts", "compute", { path: "compute.x.provider", baseDir: dir });
    expect(def.name).toBe("mine");
  });

  it("says in words what is wrong: a missing package, or a module without that kind", async () => {
    expect(await errorOf(resolveProvider("@nowhere/provider-x", "compute", { path: "compute.default.provider" }))).toMatch(/compute\.default\.provider: cannot import '@nowhere\/provider-x'/);
    expect(await errorOf(resolveProvider("memory", "compute", { path: "compute.default.provider" }))).toMatch(/has no compute provider \(it has store 'memory'/);
    const importer = async () => ({ default: { not: "a provider" } });
    expect(await errorOf(resolveProvider("x", "auth", { path: "auth.provider", importer }))).toMatch(/no export is a provider definition/);
  });
});
