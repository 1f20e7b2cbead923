/**
 * The Kubernetes backend against a FAKE Kubernetes API server (no real kube-apiserver can run on
 * this project's machines; see src/fake/server.ts for what the fake follows).
 */
import { AppError } from "@calipso/core";
import { afterEach, describe, expect, it } from "vitest";
import { fakeCluster, workloadSpec } from "./test-support.ts";

type Cluster = Awaited<ReturnType<typeof fakeCluster>>;
let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const ours = (c: Cluster) => ["pods", "services", "secrets"].flatMap((r) => c.api.objects(r, "calipso").filter((o) => o.metadata.labels?.["calipso.managed"] === "true"));
const controller = () => new AbortController();

describe("kubernetes backend (fake API server)", () => {
  it("starts a pod, service and secret and reports a running endpoint", async () => {
    cluster = await fakeCluster();
    const progress: string[] = [];
    const spec = workloadSpec();
    const { handle, endpoint } = await cluster.backend.start(spec, { signal: controller().signal, onProgress: (p) => progress.push(p.step) });
    expect(endpoint).toEqual({ host: `${spec.name}.calipso.svc`, port: 5901, protocol: "vnc" });
    expect(handle.backend).toBe("kubernetes");
    expect(progress).toContain("create");
    expect(progress).toContain("schedule");
    expect(progress).toContain("pull");
    expect(progress.at(-1)).toBe("ready");
    expect(await cluster.backend.status(handle)).toEqual({ state: "running", endpoint });
    const secret = cluster.api.objects("secrets", "calipso")[0]!;
    const pod = cluster.api.objects("pods", "calipso")[0]!;
    expect(secret.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Pod", uid: pod.metadata.uid, name: spec.name });
    expect(cluster.api.objects("services", "calipso")[0]!.metadata.ownerReferences?.[0]?.uid).toBe(pod.metadata.uid);
  });

  it("stop removes everything and is idempotent", async () => {
    cluster = await fakeCluster();
    const { handle } = await cluster.backend.start(workloadSpec(), { signal: controller().signal });
    await cluster.backend.stop(handle);
    expect(ours(cluster)).toEqual([]);
    await cluster.backend.stop(handle);
    expect(await cluster.backend.status(handle)).toEqual({ state: "stopped" });
  });

  it("a JSON round-tripped handle stops the workload from a new adapter instance", async () => {
    cluster = await fakeCluster();
    const { handle } = await cluster.backend.start(workloadSpec(), { signal: controller().signal });
    const restored = JSON.parse(JSON.stringify(handle));
    const fresh = cluster.newBackend();
    expect((await fresh.status(restored)).state).toBe("running");
    await fresh.stop(restored);
    expect(ours(cluster)).toEqual([]);
  });

  it("lists workloads by label", async () => {
    cluster = await fakeCluster();
    const a = workloadSpec();
    const b = workloadSpec({ labels: { ...workloadSpec().labels, "calipso.owner": "bob" } });
    await cluster.backend.start(a, { signal: controller().signal });
    await cluster.backend.start(b, { signal: controller().signal });
    const bobs = await cluster.backend.list({ "calipso.owner": "bob" });
    expect(bobs.map((w) => w.labels["calipso.instance"])).toEqual([b.labels["calipso.instance"]]);
    expect(await cluster.backend.list({ "calipso.deployment": "test" })).toHaveLength(2);
  });

  it("NodePort services are reached on the configured node address", async () => {
    cluster = await fakeCluster({ config: { service: { type: "NodePort", nodeAddress: "192.0.2.10" } } });
    const { endpoint } = await cluster.backend.start(workloadSpec(), { signal: controller().signal });
    expect(endpoint.host).toBe("192.0.2.10");
    expect(endpoint.port).toBeGreaterThanOrEqual(30000);
  });
});

describe("kubernetes backend faults (fake API server)", () => {
  it("RBAC 403 names the missing permission and leaves nothing", async () => {
    cluster = await fakeCluster();
    cluster.api.forbidden.add("create services");
    const error = await cluster.backend.start(workloadSpec(), { signal: controller().signal }).catch((e: unknown) => e);
    expect(AppError.is(error, "PROVIDER_ERROR")).toBe(true);
    expect((error as AppError).detail).toContain('may not create services in namespace "calipso"');
    expect((error as AppError).meta).toEqual({ missingPermission: { verb: "create", resource: "services", namespace: "calipso" } });
    expect(ours(cluster)).toEqual([]);
  });

  it("a namespace quota that is exceeded gives QUOTA_EXCEEDED", async () => {
    cluster = await fakeCluster();
    cluster.api.podQuota = 1;
    await cluster.backend.start(workloadSpec(), { signal: controller().signal });
    const error = await cluster.backend.start(workloadSpec(), { signal: controller().signal }).catch((e: unknown) => e);
    expect(AppError.is(error, "QUOTA_EXCEEDED")).toBe(true);
    expect((error as AppError).detail).toContain("exceeded quota");
    expect(cluster.api.objects("pods", "calipso")).toHaveLength(1);
  });

  it("a watch that disconnects mid-start resumes and still sees the pod become ready", async () => {
    cluster = await fakeCluster({ scenario: "manual" });
    const spec = workloadSpec();
    const started = cluster.backend.start(spec, { signal: controller().signal });
    await until(() => cluster!.api.objects("services", "calipso").length === 1);
    await until(() => cluster!.api.requests.some((r) => r.path.endsWith("/pods") && r.method === "GET"));
    cluster.api.dropWatches();
    cluster.api.mutate("pods", "calipso", spec.name, (o) => void (o.status = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] }));
    const { endpoint } = await started;
    expect(endpoint.port).toBe(5901);
    const watches = cluster.api.requests.filter((r) => r.path === "/api/v1/namespaces/calipso/pods" && r.method === "GET");
    expect(watches.length).toBeGreaterThanOrEqual(2);
  });

  it("a pod that goes to Failed fails the start with its exit code and leaves nothing", async () => {
    cluster = await fakeCluster({ scenario: "fail" });
    const error = await cluster.backend.start(workloadSpec(), { signal: controller().signal }).catch((e: unknown) => e);
    expect(AppError.is(error, "PROVIDER_ERROR")).toBe(true);
    expect((error as AppError).detail).toMatch(/failed \(exit code 1/);
    expect(ours(cluster)).toEqual([]);
  });

  it("an image pull error fails fast with the reason and leaves nothing", async () => {
    cluster = await fakeCluster({ scenario: "imagePullError" });
    const error = await cluster.backend.start(workloadSpec(), { signal: controller().signal }).catch((e: unknown) => e);
    expect((error as AppError).detail).toMatch(/image can't be pulled \(ErrImagePull/);
    expect(ours(cluster)).toEqual([]);
  });

  it("readiness that never comes hits the deadline with PROVIDER_TIMEOUT and leaves nothing", async () => {
    cluster = await fakeCluster({ scenario: "never" });
    const error = await cluster.backend.start(workloadSpec({ timeoutSec: 1 }), { signal: controller().signal }).catch((e: unknown) => e);
    expect(AppError.is(error, "PROVIDER_TIMEOUT")).toBe(true);
    expect(ours(cluster)).toEqual([]);
  });

  it("an abort mid-start rejects with the abort reason and deletes what was created", async () => {
    cluster = await fakeCluster({ scenario: "never" });
    const c = controller();
    const started = cluster.backend.start(workloadSpec(), { signal: c.signal });
    await until(() => cluster!.api.objects("pods", "calipso").length === 1);
    c.abort(new DOMException("terminated by the user", "AbortError"));
    const error = await started.catch((e: unknown) => e);
    expect((error as DOMException).name).toBe("AbortError");
    expect(ours(cluster)).toEqual([]);
  });

  it("an unreachable API gives PROVIDER_UNAVAILABLE", async () => {
    cluster = await fakeCluster();
    const backend = cluster.newBackend();
    await cluster.close();
    const error = await backend.start(workloadSpec(), { signal: controller().signal }).catch((e: unknown) => e);
    expect(AppError.is(error, "PROVIDER_UNAVAILABLE")).toBe(true);
    cluster = undefined;
  });

  it("refuses to run as root unless the template allows it, before creating anything", async () => {
    cluster = await fakeCluster();
    const error = await cluster.backend.start(workloadSpec({ user: { uid: 0, gid: 0 } }), { signal: controller().signal }).catch((e: unknown) => e);
    expect(AppError.is(error, "FORBIDDEN")).toBe(true);
    expect(cluster.api.requests.filter((r) => r.method === "POST")).toEqual([]);
  });
});

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}
