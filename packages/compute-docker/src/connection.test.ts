/** Engine address resolution (socketPath, host, DOCKER_HOST), the TLS rule for tcp:// (S7), API negotiation. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppError, instantiate } from "@calipso/core";
import { createTestContext } from "@calipso/sdk/testing";
import { DockerConfigSchema } from "./config.ts";
import { DEFAULT_SOCKET, createClient, negotiateApiVersion, resolveEngineAddress } from "./connection.ts";
import { dockerBackend } from "./definition.ts";

const parse = (input: unknown) => DockerConfigSchema.parse(input);
const refusal = async (config: unknown): Promise<AppError> => {
  try {
    await instantiate(dockerBackend, config, createTestContext());
  } catch (error) {
    if (AppError.is(error)) return error;
    throw error;
  }
  throw new Error("expected INVALID_CONFIG");
};

describe("engine address", () => {
  it("defaults to /var/run/docker.sock when neither config nor DOCKER_HOST name one", () => {
    expect(resolveEngineAddress(parse({}), {})).toEqual({ kind: "unix", socketPath: DEFAULT_SOCKET, source: "default" });
  });

  it("honours DOCKER_HOST (unix://) and lets the config win over it", () => {
    expect(resolveEngineAddress(parse({}), { DOCKER_HOST: "unix:///run/podman/podman.sock" })).toMatchObject({
      kind: "unix",
      socketPath: "/run/podman/podman.sock",
      source: "DOCKER_HOST",
    });
    expect(resolveEngineAddress(parse({ socketPath: "/x.sock" }), { DOCKER_HOST: "tcp://evil:2375" })).toMatchObject({ socketPath: "/x.sock" });
    expect(resolveEngineAddress(parse({ host: "unix:///y.sock" }), { DOCKER_HOST: "unix:///z.sock" })).toMatchObject({ socketPath: "/y.sock" });
  });

  it("S7: a plain tcp:// engine is refused (config and DOCKER_HOST), naming tls and allowInsecureTcp", async () => {
    const fromConfig = await refusal({ host: "tcp://10.0.0.5:2375" });
    expect(fromConfig.code).toBe("INVALID_CONFIG");
    expect(fromConfig.detail).toMatch(/host.*tls/);
    expect(() => resolveEngineAddress(parse({}), { DOCKER_HOST: "tcp://10.0.0.5:2375" })).toThrow(/plain TCP.*allowInsecureTcp/);
  });

  it("tcp:// with TLS client certificates (config or DOCKER_CERT_PATH) is accepted and speaks https", async () => {
    const dir = await mkdtemp(join(tmpdir(), "calipso-docker-tls-"));
    for (const f of ["ca.pem", "cert.pem", "key.pem"]) await writeFile(join(dir, f), "-----BEGIN TEST-----\n");
    const tls = { ca: join(dir, "ca.pem"), cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
    const address = resolveEngineAddress(parse({ host: "tcp://engine.example:2376", tls }), {});
    expect(address).toMatchObject({ kind: "tcp", host: "engine.example", port: 2376, tls });
    expect((createClient(address, parse({ host: "tcp://engine.example:2376", tls })).modem as { protocol?: string }).protocol).toBe("https");
    expect(resolveEngineAddress(parse({}), { DOCKER_HOST: "tcp://engine.example", DOCKER_CERT_PATH: dir })).toMatchObject({ port: 2376, tls });
  });

  it("allowInsecureTcp is an explicit, separate opt-in", () => {
    expect(resolveEngineAddress(parse({ host: "tcp://127.0.0.1:2375", allowInsecureTcp: true }), {})).toMatchObject({ kind: "tcp", port: 2375 });
  });

  it("the modem ignores DOCKER_HOST once the address is resolved", () => {
    const saved = process.env["DOCKER_HOST"];
    process.env["DOCKER_HOST"] = "tcp://203.0.113.1:2375";
    try {
      const client = createClient(resolveEngineAddress(parse({ socketPath: "/x.sock" }), {}), parse({ socketPath: "/x.sock" }));
      const modem = client.modem as { socketPath?: string; host?: string };
      expect(modem.host).toBeUndefined();
      expect(modem.socketPath).toBe("/x.sock");
    } finally {
      if (saved === undefined) delete process.env["DOCKER_HOST"];
      else process.env["DOCKER_HOST"] = saved;
    }
  });
});

describe("S5: publish address", () => {
  it("0.0.0.0 and :: are refused unless allowAllInterfaces is set; the default is 127.0.0.1", async () => {
    expect(parse({}).hostIp).toBe("127.0.0.1");
    for (const hostIp of ["0.0.0.0", "::"]) {
      const error = await refusal({ hostIp });
      expect(error.code).toBe("INVALID_CONFIG");
      expect(error.detail).toContain("hostIp");
    }
    expect(parse({ hostIp: "0.0.0.0", allowAllInterfaces: true }).hostIp).toBe("0.0.0.0");
  });
});

describe("API version negotiation", () => {
  it("uses the engine's version, capped at the newest the backend knows", () => {
    expect(negotiateApiVersion("1.41")).toBe("1.41");
    expect(negotiateApiVersion("1.51")).toBe("1.45");
    expect(negotiateApiVersion(undefined)).toBe("1.41");
  });
});
