/** @module Test helpers: a workload spec and a backend wired to the FAKE Kubernetes API. */
import { silentLogger, type WorkloadSpec } from "@calipso/core";
import { KubernetesConfigSchema, type KubernetesConfig } from "./config.ts";
import { createKubernetesBackend } from "./backend.ts";
import { FakeKubeApi, type FakeKubeOptions } from "./fake/server.ts";

let n = 0;
export function workloadSpec(overrides: Partial<WorkloadSpec> = {}): WorkloadSpec {
  const id = `i${(++n).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    name: `calipso-${id}`,
    image: "registry.example.org/desktop:1",
    command: ["/usr/bin/start-desktop"],
    env: { DISPLAY: ":1" },
    resources: { cpu: 1.5, memoryMiB: 2048, storageGiB: 10 },
    user: { uid: 41000, gid: 41000 },
    allowRoot: false,
    capabilities: [],
    mounts: [
      { kind: "dataset", volume: "data", subPath: "p123/raw", hostPath: "/data/p123/raw", target: "/data/raw", readOnly: true },
      { kind: "output", volume: "output", subPath: "p123/alice", hostPath: "/output/p123/alice", target: "/output", readOnly: false },
    ],
    port: { container: 5901, protocol: "vnc" },
    readiness: { tcp: true },
    timeoutSec: 5,
    labels: { "calipso.instance": id, "calipso.owner": "alice", "calipso.template": "xfce", "calipso.deployment": "test" },
    secret: { value: "s3cret-pw", env: "VNC_PASSWORD" },
    ...overrides,
  };
}

export async function fakeCluster(options: FakeKubeOptions & { config?: Partial<Record<string, unknown>> } = {}) {
  const api = new FakeKubeApi({ token: "test-token", ...options });
  const server = await api.listen();
  const raw = {
    cluster: { server, token: "test-token", skipTLSVerify: true },
    namespace: "calipso",
    volumes: { data: { pvc: { claimName: "facility-data" } }, output: { nfs: { server: "nfs.example.org", path: "/export/output" } } },
    ...options.config,
  };
  const config: KubernetesConfig = KubernetesConfigSchema.parse(raw);
  const backend = () => createKubernetesBackend(config, { logger: silentLogger });
  return { api, server, raw, config, backend: backend(), newBackend: backend, close: () => api.close() };
}
