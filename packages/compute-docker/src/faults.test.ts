/**
 * Faults on the real engine: missing image, early exit, no readiness, engine socket gone, abort, root.
 * Every case rejects with an AppError that says what happened and leaves no labelled container
 * (counted through the engine directly, not through the adapter).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@calipso/core";
import type { ComputeProgress } from "@calipso/core";
import { backendWith, busyboxSpec, countLabelled, describeEngine, execIn, SOCKET } from "./test-support/engine.ts";
import { startEngineHttpProxy } from "./test-support/engine-http-proxy.ts";
import { startSocketProxy } from "./test-support/socket-proxy.ts";
import type { SocketProxy } from "./test-support/socket-proxy.ts";

const never = () => new AbortController().signal;
/** Rejection of a promise (fails when it resolves). */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(AppError.is(error), `expected an AppError, got ${String(error)}`).toBe(true);
    return error as AppError;
  }
  throw new Error("expected a rejection");
}
/** A workload that runs but never listens: readiness cannot come. */
const NEVER_READY = ["sleep", "60"];

describeEngine("docker backend faults on a real engine", () => {
  it("an image that does not exist: NOT_FOUND naming the image, nothing created (local-only and pull paths)", async () => {
    const local = busyboxSpec({ image: "localhost/calipso-does-not-exist:never" });
    const noPull = await failure((await backendWith({ pull: "never" })).start(local, { signal: never() }));
    expect(noPull.code).toBe("NOT_FOUND");
    expect(noPull.detail).toContain("localhost/calipso-does-not-exist:never");
    const remote = busyboxSpec({ image: "registry.invalid/calipso/does-not-exist:never" });
    const events: ComputeProgress[] = [];
    const pulled = await failure((await backendWith()).start(remote, { signal: never(), onProgress: (e) => events.push(e) }));
    expect(pulled.code).toBe("NOT_FOUND");
    expect(pulled.detail).toMatch(/registry\.invalid\/calipso\/does-not-exist:never.*could not be pulled/);
    expect(events.map((e) => e.step)).toContain("pull");
    expect(await countLabelled(local.labels)).toBe(0);
    expect(await countLabelled(remote.labels)).toBe(0);
  });

  it("a command that exits at once: PROVIDER_ERROR with the exit code and last log lines (secret redacted), removed", async () => {
    const spec = busyboxSpec({ command: ["sh", "-c", 'echo "starting with $CALIPSO_DESKTOP_PASSWORD"; echo boom-on-stderr >&2; exit 3'] });
    const error = await failure((await backendWith()).start(spec, { signal: never() }));
    expect(error.code).toBe("PROVIDER_ERROR");
    expect(error.detail).toContain("exited with code 3");
    expect(error.detail).toContain("boom-on-stderr");
    expect(error.detail).toContain("starting with ***");
    expect(`${error.message}\n${error.detail}`).not.toContain(spec.secret.value);
    expect(error.meta).toMatchObject({ exitCode: 3 });
    expect(await countLabelled(spec.labels)).toBe(0);
  });

  it("readiness never comes: PROVIDER_TIMEOUT at the spec's deadline, removed", async () => {
    const spec = busyboxSpec({ command: NEVER_READY, timeoutSec: 2 });
    const error = await failure((await backendWith()).start(spec, { signal: never() }));
    expect(error.code).toBe("PROVIDER_TIMEOUT");
    expect(error.detail).toMatch(/not ready within 2 s.*TCP connect/);
    expect(await countLabelled(spec.labels)).toBe(0);
  });

  it("a log pattern that never appears also ends at the deadline, removed", async () => {
    const spec = busyboxSpec({ command: ["sh", "-c", "echo hello; exec sleep 60"], readiness: { log: "^never-printed$" }, timeoutSec: 2 });
    const error = await failure((await backendWith()).start(spec, { signal: never() }));
    expect(error.code).toBe("PROVIDER_TIMEOUT");
    expect(await countLabelled(spec.labels)).toBe(0);
  });

  it("the caller aborts mid-start (at create, and while waiting for readiness): rejected with the reason, removed", async () => {
    const backend = await backendWith();
    const early = busyboxSpec();
    const controller1 = new AbortController();
    const reason1 = new DOMException("user cancelled", "AbortError");
    const e1 = await failure(backend.start(early, { signal: controller1.signal, onProgress: (e) => void (e.step === "create" && controller1.abort(reason1)) }));
    expect(e1.cause).toBe(reason1);
    expect(e1.detail).toContain("aborted by the caller");
    const late = busyboxSpec({ command: NEVER_READY });
    const controller2 = new AbortController();
    const e2 = await failure(
      backend.start(late, { signal: controller2.signal, onProgress: (e) => void (e.step === "start" && setTimeout(() => controller2.abort(), 400)) }),
    );
    expect(e2.meta).toMatchObject({ aborted: true });
    expect(await countLabelled(early.labels)).toBe(0);
    expect(await countLabelled(late.labels)).toBe(0);
  });

  it("S7: uid or gid 0 is refused unless the template allows root (nothing is created); with allowRoot, still no capabilities", async () => {
    const backend = await backendWith();
    const spec = busyboxSpec({ user: { uid: 0, gid: 0 } });
    const error = await failure(backend.start(spec, { signal: never() }));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.detail).toContain("allowRoot");
    expect(await countLabelled(spec.labels)).toBe(0);
    const gidZero = await failure(backend.start(busyboxSpec({ user: { uid: 1000, gid: 0 } }), { signal: never() }));
    expect(gidZero.code).toBe("FORBIDDEN");
    // Only an explicit allowRoot runs uid 0, and even then with no capabilities and no-new-privileges.
    const root = await backend.start(busyboxSpec({ user: { uid: 0, gid: 0 }, allowRoot: true }), { signal: never() });
    try {
      const { output } = await execIn(root.handle.id, ["sh", "-c", "id -u; awk '/^CapEff/{print $2}' /proc/self/status"]);
      expect(output.trim()).toBe("0\n0000000000000000");
    } finally {
      await backend.stop(root.handle);
    }
  });
  it("the engine's own host port is taken before the container binds it: a new container, and the start succeeds", async () => {
    // podman picks a free port at create and binds it at start; another process can take it in
    // between. The proxy answers the first start as podman does then; everything else is the engine's.
    let refused = 0;
    const proxy = await startEngineHttpProxy(`/tmp/calipso-ci/http-proxy-${process.pid}.sock`, SOCKET, (req) => {
      if (req.method !== "POST" || !/\/containers\/[^/]+\/start/.test(req.url ?? "") || refused > 0) return undefined;
      refused++;
      return { status: 500, body: { message: "cannot listen on the TCP port: listen tcp4 127.0.0.1:38581: bind: address already in use" } };
    });
    try {
      const backend = await backendWith({ socketPath: proxy.path });
      const spec = busyboxSpec();
      const started = await backend.start(spec, { signal: never() });
      expect(refused).toBe(1);
      expect(proxy.requests.filter((r) => r.includes("/containers/create"))).toHaveLength(2);
      expect(proxy.requests.some((r) => r.startsWith("DELETE /") && r.includes("/containers/"))).toBe(true);
      expect(await countLabelled(spec.labels), "the refused container is gone, the new one runs").toBe(1);
      expect((await backend.status(started.handle)).state).toBe("running");
      await backend.stop(started.handle);
      expect(await countLabelled(spec.labels)).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it("a start refused for a port the engine did not choose is not retried", async () => {
    let starts = 0;
    const proxy = await startEngineHttpProxy(`/tmp/calipso-ci/http-proxy-b-${process.pid}.sock`, SOCKET, (req) => {
      if (req.method !== "POST" || !/\/containers\/[^/]+\/start/.test(req.url ?? "")) return undefined;
      starts++;
      return { status: 500, body: { message: "OCI runtime error: permission denied" } };
    });
    try {
      const spec = busyboxSpec();
      const error = await failure((await backendWith({ socketPath: proxy.path })).start(spec, { signal: never() }));
      expect(error.code).toBe("PROVIDER_ERROR");
      expect(error.detail).toContain("permission denied");
      expect(starts).toBe(1);
      expect(await countLabelled(spec.labels)).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  // These share one proxy socket that they cut and restore: one at a time.
  // A cut can land while a request is being accepted, and on a loaded machine the start then runs
  // into its deadline instead of seeing the socket gone: such a test is retried; the socket is always
  // back before the next test, so one failure never cascades.
  describe.sequential("through a proxy socket the test controls", { retry: 2 }, () => {
    let proxy: SocketProxy;
    beforeAll(async () => {
      proxy = await startSocketProxy(`/tmp/calipso-ci/proxy-${process.pid}.sock`, SOCKET);
    });
    afterEach(async () => {
      await proxy.restore();
    });
    afterAll(async () => {
      await proxy.close();
    });

    it("the engine socket disappears mid-start: PROVIDER_UNAVAILABLE, and the container is removed once it is back", async () => {
      const backend = await backendWith({ socketPath: proxy.path, cleanupRetrySec: 5 });
      const spec = busyboxSpec({ command: NEVER_READY });
      const pending = backend.start(spec, {
        signal: never(),
        onProgress: (e) => {
          if (e.step === "start") setTimeout(() => void proxy.cut().then(() => setTimeout(() => void proxy.restore(), 600)), 300);
        },
      });
      const error = await failure(pending);
      expect(error.code).toBe("PROVIDER_UNAVAILABLE");
      expect(error.detail).toContain(proxy.path);
      expect(error.detail).not.toContain("could not be removed");
      expect(await countLabelled(spec.labels)).toBe(0);
    });

    it("the engine socket stays away: the error says what may be left, and the reconciler path (list + stop) removes it", async () => {
      const backend = await backendWith({ socketPath: proxy.path, cleanupRetrySec: 0.5 });
      const spec = busyboxSpec({ command: NEVER_READY });
      const error = await failure(
        backend.start(spec, { signal: never(), onProgress: (e) => void (e.step === "start" && setTimeout(() => void proxy.cut(), 300)) }),
      );
      expect(error.code).toBe("PROVIDER_UNAVAILABLE");
      expect(error.detail).toMatch(/could not be removed.*reconciler/);
      await proxy.restore();
      const left = await backend.list(spec.labels);
      expect(left.map((w) => w.labels["calipso.test"])).toEqual([spec.labels["calipso.test"]]);
      for (const w of left) await backend.stop(w.handle);
      expect(await countLabelled(spec.labels)).toBe(0);
    });

    it("the secret never travels in an engine request URL (dockerode would put the create body into the query)", async () => {
      const backend = await backendWith({ socketPath: proxy.path });
      const spec = busyboxSpec();
      const started = await backend.start(spec, { signal: never() });
      await backend.stop(started.handle);
      const creates = proxy.requests.filter((r) => r.includes("/containers/create"));
      expect(creates.some((r) => r.includes(`name=${spec.name}`))).toBe(true);
      expect(proxy.requests.join("\n")).not.toContain(encodeURIComponent(spec.secret.value));
      expect(proxy.requests.join("\n")).not.toContain(spec.secret.value);
      expect(proxy.requests.join("\n")).not.toContain("Env=");
    });
  });
}, { concurrent: true });
