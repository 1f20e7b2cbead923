import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import type { WorkloadSpec } from "../ports/compute.ts";
import { createFakeAuth } from "./fake-auth.ts";
import { createFakeCompute, createFakeComputeEngine } from "./fake-compute.ts";
import { createFakeDesktop } from "./fake-desktop.ts";
import { createFakeExperiments } from "./fake-experiments.ts";

function spec(image = "img:1", labels: Record<string, string> = { "calipso.instance": "i1" }): WorkloadSpec {
  return {
    name: "calipso-i1",
    image,
    env: {},
    resources: { cpu: 1, memoryMiB: 512 },
    user: { uid: 1000, gid: 1000 },
    allowRoot: false,
    capabilities: [],
    mounts: [],
    port: { container: 5901, protocol: "vnc" },
    readiness: { tcp: true },
    timeoutSec: 1,
    labels,
    secret: { value: "s", env: "PW" },
  };
}

const never = () => new AbortController().signal;

describe("fake auth", () => {
  it("logs in password users and refuses wrong passwords", async () => {
    const auth = await createFakeAuth({ users: [{ username: "alice", password: "pw", roles: ["admin"], mayUseOwnResources: true }] });
    await expect(auth.password!("alice", "pw")).resolves.toMatchObject({ username: "alice", roles: ["admin"] });
    await expect(auth.password!("alice", "nope")).rejects.toSatisfy((e) => AppError.is(e, "UNAUTHENTICATED"));
    await expect(auth.password!("bob", "pw")).rejects.toSatisfy((e) => AppError.is(e, "UNAUTHENTICATED"));
    expect(await auth.mayUseOwnResources!("alice")).toBe(true);
    expect(await auth.mayUseOwnResources!("bob")).toBe(false);
  });

  it("logs in federated users by the configured attribute", async () => {
    const auth = await createFakeAuth({ users: [{ username: "alice" }], federated: { usernameAttribute: "uid" } });
    await expect(auth.federated!({ attributes: { uid: "alice" } })).resolves.toMatchObject({ username: "alice" });
    await expect(auth.federated!({ attributes: { uid: "mallory" } })).rejects.toSatisfy((e) => AppError.is(e, "UNAUTHENTICATED"));
    await expect(auth.federated!({ attributes: {} })).rejects.toSatisfy((e) => AppError.is(e, "UNAUTHENTICATED"));
  });

  it("runs a redirect flow that checks state", async () => {
    const auth = await createFakeAuth({ users: [{ username: "alice" }], redirect: true });
    const start = await auth.redirect!.start({ redirectUri: "https://app.invalid/cb" });
    const state = new URL(start.url).searchParams.get("state");
    const ok = `https://app.invalid/cb?code=alice&state=${state}`;
    await expect(auth.redirect!.callback({ callbackUrl: ok, redirectUri: "https://app.invalid/cb", transaction: start.transaction })).resolves.toMatchObject({ username: "alice" });
    const bad = "https://app.invalid/cb?code=alice&state=forged";
    await expect(auth.redirect!.callback({ callbackUrl: bad, redirectUri: "https://app.invalid/cb", transaction: start.transaction })).rejects.toSatisfy((e) => AppError.is(e, "UNAUTHENTICATED"));
  });

  it("refuses unknown config keys", async () => {
    await expect(createFakeAuth({ bogus: true } as never)).rejects.toSatisfy((e) => AppError.is(e, "INVALID_CONFIG"));
  });
});

describe("fake experiments", () => {
  it("lists a user's experiments and answers membership from its current state", async () => {
    const source = await createFakeExperiments({ experiments: [{ proposalId: "P1", title: "One", members: ["alice"], sessions: [{ id: "s1", startsAt: "2025-01-01T00:00:00Z" }] }] });
    const list = await source.listForUser("alice");
    expect(list.map((e) => e.proposalId)).toEqual(["P1"]);
    expect(list[0]!.sessions[0]!.startsAt).toBeInstanceOf(Date);
    expect(await source.isMember("alice", "P1")).toBe(true);
    source.setMembers("P1", []);
    expect(await source.isMember("alice", "P1")).toBe(false);
    expect(await source.get("nope")).toBeNull();
  });
});

describe("fake compute", () => {
  it("starts a labelled workload that a new instance on the same engine can list, status and stop", async () => {
    const engine = createFakeComputeEngine();
    const a = await createFakeCompute({ engine: engine.name });
    const steps: string[] = [];
    const started = await a.start(spec(), { signal: never(), onProgress: (p) => steps.push(p.step) });
    expect(steps).toContain("ready");
    const handle = JSON.parse(JSON.stringify(started.handle));
    const b = await createFakeCompute({ engine: engine.name });
    expect(await b.status(handle)).toMatchObject({ state: "running" });
    expect(await b.list({ "calipso.instance": "i1" })).toHaveLength(1);
    expect(await b.list({ "calipso.instance": "other" })).toHaveLength(0);
    await b.stop(handle);
    await b.stop(handle);
    expect(await a.status(handle)).toEqual({ state: "stopped" });
    expect(engine.active()).toHaveLength(0);
  });

  it("fails, exits or hangs per image and leaves nothing behind", async () => {
    const c = await createFakeCompute({ images: { "bad:1": { mode: "fail" }, "exit:1": { mode: "exit" }, "hang:1": { mode: "hang" } } });
    await expect(c.start(spec("bad:1"), { signal: never() })).rejects.toSatisfy((e) => AppError.is(e, "PROVIDER_ERROR"));
    await expect(c.start(spec("exit:1"), { signal: never() })).rejects.toSatisfy((e) => AppError.is(e, "PROVIDER_ERROR"));
    const ac = new AbortController();
    const hung = c.start(spec("hang:1"), { signal: ac.signal });
    expect(c.engine.active()).toHaveLength(1);
    ac.abort(new Error("timeout"));
    await expect(hung).rejects.toSatisfy((e) => AppError.is(e, "PROVIDER_TIMEOUT"));
    expect(c.engine.active()).toHaveLength(0);
  });

  it("can ignore the abort and still return a running workload", async () => {
    const c = await createFakeCompute({ behaviour: { mode: "ready", delayMs: 20, ignoreAbort: true } });
    const ac = new AbortController();
    const p = c.start(spec(), { signal: ac.signal });
    ac.abort();
    await expect(p).resolves.toHaveProperty("handle");
    expect(c.engine.active()).toHaveLength(1);
  });

  it("reports crashes and exits through status", async () => {
    const c = await createFakeCompute();
    const { handle } = await c.start(spec(), { signal: never() });
    c.engine.crash(handle.id, "oom");
    expect(await c.status(handle)).toEqual({ state: "failed", reason: "oom" });
    c.engine.exit(handle.id, 3);
    expect(await c.status(handle)).toEqual({ state: "stopped", exitCode: 3 });
  });
});

describe("fake desktop", () => {
  it("registers, hands out single-use tickets, tracks activity and releases", async () => {
    const d = await createFakeDesktop();
    const handle = await d.register({ instanceId: "i1", owner: "alice", endpoint: { host: "h", port: 5901, protocol: "vnc" }, secret: "s", title: "T" });
    const access = await d.access(handle, { username: "alice" });
    const ticket = access.url.split("/").pop()!;
    expect(d.gateway.redeem(ticket)).toMatchObject({ username: "alice", readOnly: false });
    expect(d.gateway.redeem(ticket)).toBeNull();
    expect(await d.lastActivity!(handle)).toBeNull();
    const at = new Date("2026-01-01T00:00:00Z");
    d.gateway.setActivity("i1", at);
    expect(await d.lastActivity!(handle)).toEqual(at);
    expect(await d.list!()).toEqual([{ handle, instanceId: "i1" }]);
    await d.release(handle);
    await d.release(handle);
    expect(await d.list!()).toEqual([]);
    await expect(d.access(handle, { username: "alice" })).rejects.toSatisfy((e) => AppError.is(e, "NOT_FOUND"));
  });

  it("can refuse registrations", async () => {
    const d = await createFakeDesktop({ failRegister: true });
    await expect(d.register({ instanceId: "i", owner: "a", endpoint: { host: "h", port: 1, protocol: "vnc" }, secret: "s", title: "t" })).rejects.toSatisfy((e) => AppError.is(e, "PROVIDER_ERROR"));
  });
});
