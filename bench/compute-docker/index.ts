/**
 * @module Benchmark: launch overhead of the Docker compute backend vs bare dockerode, side by side.
 *
 * On the same engine and image (localhost/busybox, `httpd` on 5901 as uid 1000):
 * - sequential: 20 launches each of (a) bare dockerode createContainer + start + inspect,
 *   (b) the same plus a bare TCP-connect loop until the port answers (what "ready" costs anyway), and
 *   (c) the adapter's start() until it resolves (running and TCP-ready), interleaved so all see the
 *   same engine state; medians, the median per-launch ratio c/a (the measure) and c/b;
 * - concurrent: 20 launches at once of each of (a), (b) and (c): total wall time, per-launch p50/p99.
 * Clean-up (stop/remove) is outside the timed sections.
 *
 * Run: npx tsx --conditions=@calipso/source bench/compute-docker/index.ts
 * Engine: CALIPSO_DOCKER_SOCKET (default /tmp/calipso-ci/podman.sock; see .ci/podman-up.sh and
 * .ci/setup.d/20-docker-images.sh).
 */
import net from "node:net";
import Docker from "dockerode";
import { instantiate } from "@calipso/core";
import type { ComputeBackend, WorkloadSpec } from "@calipso/core";
import { createTestContext } from "@calipso/sdk/testing";
import { dockerBackend } from "@calipso/compute-docker";

const SOCKET = process.env["CALIPSO_DOCKER_SOCKET"] ?? "/tmp/calipso-ci/podman.sock";
const IMAGE = "localhost/busybox:latest";
const N = Number(process.env["BENCH_LAUNCHES"] ?? 20);
const COMMAND = ["httpd", "-f", "-p", "5901", "-h", "/tmp"];
const RUN = `bench-${Date.now().toString(36)}`;

const docker = new Docker({ socketPath: SOCKET, host: undefined } as Docker.DockerOptions);
const backend: ComputeBackend = await instantiate(
  dockerBackend,
  { socketPath: SOCKET, stopGraceSec: 2 },
  createTestContext(),
);

let seq = 0;
function spec(): WorkloadSpec {
  const id = `${RUN}-${seq++}`;
  return {
    name: `cd-${id}`,
    image: IMAGE,
    command: COMMAND,
    env: {},
    resources: { cpu: 0.5, memoryMiB: 64 },
    user: { uid: 1000, gid: 1000 },
    allowRoot: false,
    capabilities: [],
    mounts: [],
    port: { container: 5901, protocol: "vnc" },
    readiness: { tcp: true },
    timeoutSec: 60,
    labels: { "calipso.bench": RUN },
    secret: { value: "bench-secret", env: "CALIPSO_DESKTOP_PASSWORD" },
  };
}

/** Connects until the port accepts (10 ms apart), like any readiness wait must. */
async function waitTcp(port: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Bare dockerode: the same container body a careful caller would send (limits, port on 127.0.0.1), no readiness. */
async function bare(ready = false): Promise<{ ms: number; id: string }> {
  const t0 = performance.now();
  const c = await docker.createContainer({
    name: `cd-bare-${RUN}-${seq++}`,
    Image: IMAGE,
    Cmd: COMMAND,
    User: "1000:1000",
    Labels: { "calipso.bench": RUN },
    ExposedPorts: { "5901/tcp": {} },
    HostConfig: {
      Init: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      Memory: 64 << 20,
      NanoCpus: 5e8,
      PidsLimit: 1024,
      Ulimits: [
        { Name: "nofile", Soft: 16384, Hard: 16384 },
        { Name: "nproc", Soft: 16384, Hard: 16384 },
      ],
      PortBindings: { "5901/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
    },
  });
  await c.start();
  const info = await c.inspect();
  if (ready) await waitTcp(Number(info.NetworkSettings.Ports["5901/tcp"]?.[0]?.HostPort));
  return { ms: performance.now() - t0, id: c.id };
}

async function adapter(): Promise<{ ms: number; handle: Awaited<ReturnType<ComputeBackend["start"]>>["handle"] }> {
  const t0 = performance.now();
  const started = await backend.start(spec(), { signal: new AbortController().signal });
  return { ms: performance.now() - t0, handle: started.handle };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const f = (x: number) => x.toFixed(0).padStart(6);

/** Removes every bench container (also those of an earlier run that crashed). */
async function cleanup(): Promise<void> {
  const rows = await docker.listContainers({ all: true, filters: { label: ["calipso.bench"] } });
  await Promise.all(rows.map((r) => docker.getContainer(r.Id).remove({ force: true }).catch(() => undefined)));
}

// Warm-up (first container start pays for network and image set-up).
await cleanup();
{
  const b = await bare();
  await docker.getContainer(b.id).remove({ force: true });
  const a = await adapter();
  await backend.stop(a.handle);
}

console.log(`engine ${SOCKET}, image ${IMAGE}, ${N} sequential launches each (interleaved)`);
const bareMs: number[] = [];
const readyMs: number[] = [];
const adapterMs: number[] = [];
const orders = [
  ["bare", "ready", "adapter"],
  ["adapter", "bare", "ready"],
  ["ready", "adapter", "bare"],
] as const;
for (let i = 0; i < N; i++) {
  for (const which of orders[i % 3]!) {
    if (which === "adapter") {
      const a = await adapter();
      adapterMs.push(a.ms);
      await backend.stop(a.handle);
    } else {
      const b = await bare(which === "ready");
      (which === "ready" ? readyMs : bareMs).push(b.ms);
      await docker.getContainer(b.id).remove({ force: true });
    }
  }
}
const ratio = (xs: number[], ys: number[]) => median(xs.map((x, i) => x / ys[i]!));
const diff = (xs: number[], ys: number[]) => median(xs.map((x, i) => x - ys[i]!));
console.log(`(a) bare dockerode create+start+inspect          median ${f(median(bareMs))} ms   p99 ${f(pct(bareMs, 99))} ms`);
console.log(`(b) (a) + bare TCP-connect loop until it answers median ${f(median(readyMs))} ms   p99 ${f(pct(readyMs, 99))} ms`);
console.log(`(c) adapter start() -> running + TCP-ready       median ${f(median(adapterMs))} ms   p99 ${f(pct(adapterMs, 99))} ms`);
console.log(`median per-launch ratio c/a ${ratio(adapterMs, bareMs).toFixed(3)}   overhead c-a ${f(diff(adapterMs, bareMs))} ms`);
console.log(`median per-launch ratio c/b ${ratio(adapterMs, readyMs).toFixed(3)}   overhead c-b ${f(diff(adapterMs, readyMs))} ms`);

for (const which of ["adapter", "bare", "ready"] as const) {
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: N }, async () => {
      if (which === "adapter") return { ms: (await adapter()).ms };
      return { ms: (await bare(which === "ready")).ms };
    }),
  );
  const total = performance.now() - t0;
  const each = results.map((r) => r.ms);
  console.log(
    `${N} concurrent ${which.padEnd(7)}  total ${f(total)} ms   per launch p50 ${f(pct(each, 50))} ms   p99 ${f(pct(each, 99))} ms`,
  );
  await cleanup();
  // Let the engine finish tearing down (conmon exit, network clean-up) before the next phase.
  await new Promise((r) => setTimeout(r, 3000));
}
await backend.dispose?.();
