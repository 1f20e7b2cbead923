// Tests of this provider beyond the kit: its own error mapping and security rules.
import { describe, expect, it } from "vitest";
import { instantiate, isAppError } from "@calipso/core";
import type { ComputeBackend } from "@calipso/core";
import { createTestContext, defaultWorkloadSpec } from "@calipso/sdk/testing";
import { createFakeWorkloadApi } from "./fake-api.ts";
import exampleBatch from "./index.ts";

const TOKEN = "s3cret-api-token";

async function setup(token = TOKEN, fetchImpl?: typeof fetch): Promise<{ api: ReturnType<typeof createFakeWorkloadApi>; backend: ComputeBackend }> {
  const api = createFakeWorkloadApi({ token: TOKEN });
  const ctx = createTestContext({ fetch: fetchImpl ?? ((input, init) => api.request(input, init)) });
  return { api, backend: await instantiate(exampleBatch, { url: "http://batch.test/", token, pollIntervalMs: 1 }, ctx) };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; detail?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

const start = (backend: ComputeBackend, overrides = {}) => backend.start(defaultWorkloadSpec(overrides), { signal: new AbortController().signal });

describe("example-batch backend", () => {
  it("sends the token as a Bearer header and the desktop secret as an environment variable", async () => {
    const { api, backend } = await setup();
    const spec = defaultWorkloadSpec({ image: "example/desktop:1" });
    const { handle } = await backend.start(spec, { signal: new AbortController().signal });
    expect(api.authorizations.every((a) => a === `Bearer ${TOKEN}`)).toBe(true);
    expect(api.workloads.get(handle.id)?.env["CALIPSO_DESKTOP_PASSWORD"]).toBe(spec.secret.value);
    await backend.stop(handle);
  });

  it("reports a refused token as PROVIDER_ERROR without the token in the error", async () => {
    const { backend } = await setup("wrong-token-value");
    const error = await rejection(start(backend));
    expect(isAppError(error, "PROVIDER_ERROR")).toBe(true);
    expect(`${error.message} ${error.detail}`).not.toContain("wrong-token-value");
  });

  it("maps an unreachable API to PROVIDER_UNAVAILABLE and a 503 to PROVIDER_UNAVAILABLE", async () => {
    const down = await setup(TOKEN, () => Promise.reject(new TypeError("fetch failed")));
    expect(isAppError(await rejection(down.backend.status({ backend: "example-batch", id: "wl-1", state: {} })), "PROVIDER_UNAVAILABLE")).toBe(true);
    const { api, backend } = await setup();
    api.failWith = 503;
    expect(isAppError(await rejection(backend.list({})), "PROVIDER_UNAVAILABLE")).toBe(true);
  });

  it("refuses to run as root unless the template allows it, creating nothing", async () => {
    const { api, backend } = await setup();
    const error = await rejection(start(backend, { user: { uid: 0, gid: 0 } }));
    expect(isAppError(error, "FORBIDDEN")).toBe(true);
    expect(api.workloads.size).toBe(0);
  });

  it("refuses file delivery of the desktop secret with UNSUPPORTED", async () => {
    const { backend } = await setup();
    const error = await rejection(start(backend, { secret: { value: "x", file: "/run/secret" } }));
    expect(isAppError(error, "UNSUPPORTED")).toBe(true);
  });
});
