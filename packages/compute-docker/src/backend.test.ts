/** Lifecycle, isolation and restart safety of the Docker backend, on the real engine (podman in CI). */
import { mkdtemp, mkdir, writeFile, stat, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ComputeProgress, WorkloadMount } from "@calipso/core";
import { MANAGED_LABEL } from "./container-spec.ts";
import { backendWith, busyboxSpec, countLabelled, describeEngine, engine, execIn } from "./test-support/engine.ts";

const never = () => new AbortController().signal;

describeEngine("docker backend on a real engine", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "calipso-docker-test-"));
    await mkdir(join(root, "data", "exp1", "raw"), { recursive: true });
    await writeFile(join(root, "data", "exp1", "raw", "scan.txt"), "dataset-bytes\n");
    await mkdir(join(root, "output"), { recursive: true });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("starts a labelled, named container, reports progress, and stops it idempotently", async () => {
    const backend = await backendWith();
    const spec = busyboxSpec();
    const events: ComputeProgress[] = [];
    const started = await backend.start(spec, { signal: never(), onProgress: (e) => events.push(e) });
    expect(events.map((e) => e.step)).toEqual(["create", "start", "ready"]);
    expect(started.endpoint).toMatchObject({ host: "127.0.0.1", protocol: "http" });
    const info = await engine.getContainer(started.handle.id).inspect();
    expect(info.Name.replace(/^\//, "")).toBe(spec.name);
    expect(info.Config.Labels).toMatchObject({ ...spec.labels, [MANAGED_LABEL]: "true" });
    expect(Number(info.NetworkSettings.Ports["5901/tcp"]?.[0]?.HostPort)).toBe(started.endpoint.port);
    const response = await fetch(`http://${started.endpoint.host}:${started.endpoint.port}/`);
    expect(response.status).toBeLessThan(500);
    await response.body?.cancel();
    expect(await backend.status(started.handle)).toEqual({ state: "running", endpoint: started.endpoint });
    await Promise.all([backend.stop(started.handle), backend.stop(started.handle)]);
    await backend.stop(started.handle);
    expect(await backend.status(started.handle)).toEqual({ state: "stopped" });
    expect(await countLabelled(spec.labels)).toBe(0);
  });

  it("enforces limits, identity and isolation inside the container (cgroup v1 values, uid:gid, no capabilities)", async () => {
    const backend = await backendWith({ pidsLimit: 200 });
    const spec = busyboxSpec({ resources: { cpu: 0.5, memoryMiB: 96 }, user: { uid: 1234, gid: 2345 } });
    const started = await backend.start(spec, { signal: never() });
    try {
      // One exec (each costs the engine a conmon session): print every fact as key=value.
      const script = [
        "echo mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)",
        "echo cpu=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)/$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)",
        "echo pids=$(cat /sys/fs/cgroup/pids/pids.max)",
        "echo id=$(id -u):$(id -g)",
        // the workload's processes (init and httpd), not only this exec, run as the spec's uid
        "echo uids=$(for p in /proc/[0-9]*; do awk '/^Uid:/{print $2}' $p/status; done | sort -u | tr '\\n' ' ')",
        "echo caps=$(awk '/^CapEff|^CapBnd/{print $2}' /proc/self/status | tr '\\n' ' ')",
        "echo nnp=$(awk '/^NoNewPrivs/{print $2}' /proc/self/status)",
        "echo nofile=$(ulimit -n)",
      ].join("; ");
      const { output } = await execIn(started.handle.id, ["sh", "-c", script]);
      const facts = Object.fromEntries(output.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()]));
      expect(facts).toEqual({
        mem: String(96 * 1024 * 1024),
        cpu: "50000/100000",
        pids: "200",
        id: "1234:2345",
        uids: "1234",
        caps: "0000000000000000 0000000000000000",
        nnp: "1",
        nofile: "16384",
      });
      const info = await engine.getContainer(started.handle.id).inspect();
      expect(info.HostConfig.Privileged).toBe(false);
      expect(info.HostConfig.Init).toBe(true);
    } finally {
      await backend.stop(started.handle);
    }
  });

  it("mounts datasets read-only, creates the output folder owned by uid:gid, and the workload writes there", async () => {
    const backend = await backendWith({ volumes: { data: join(root, "data"), output: join(root, "output") } });
    const mounts: WorkloadMount[] = [
      { kind: "dataset", volume: "data", subPath: "exp1/raw", hostPath: join(root, "data", "exp1/raw"), target: "/data/raw", readOnly: true },
      { kind: "output", volume: "output", subPath: "exp1/alice", hostPath: join(root, "output", "exp1/alice"), target: "/output", readOnly: false },
    ];
    const spec = busyboxSpec({ user: { uid: 1500, gid: 1600 }, mounts });
    const started = await backend.start(spec, { signal: never() });
    try {
      const created = await stat(join(root, "output", "exp1", "alice"));
      expect([created.uid, created.gid]).toEqual([1500, 1600]);
      expect((await stat(join(root, "output", "exp1"))).uid).toBe(1500);
      const ro = await execIn(started.handle.id, ["sh", "-c", "cat /data/raw/scan.txt; touch /data/raw/x 2>&1; echo rc=$?"]);
      expect(ro.output).toContain("dataset-bytes");
      expect(ro.output).toMatch(/Read-only file system/);
      expect(ro.output).toContain("rc=1");
      const rw = await execIn(started.handle.id, ["sh", "-c", "echo result > /output/result.txt && echo ok"]);
      expect(rw.output.trim()).toBe("ok");
      const written = await stat(join(root, "output", "exp1", "alice", "result.txt"));
      expect([written.uid, written.gid]).toEqual([1500, 1600]);
    } finally {
      await backend.stop(started.handle);
    }
  });

  it("refuses mounts whose real path leaves their root (symlink tricks), creating nothing outside and leaving nothing behind", async () => {
    await symlink("/etc", join(root, "data", "escape"));
    const backend = await backendWith({ volumes: { data: join(root, "data") } });
    const mounts: WorkloadMount[] = [
      { kind: "dataset", volume: "data", subPath: "escape", hostPath: join(root, "data", "escape"), target: "/data", readOnly: true },
    ];
    const spec = busyboxSpec({ mounts });
    await expect(backend.start(spec, { signal: never() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await countLabelled(spec.labels)).toBe(0);
    // An output folder below a symlink that leaves the root: refused before anything is created out there.
    const outside = await mkdtemp(join(tmpdir(), "calipso-docker-outside-"));
    await symlink(outside, join(root, "output", "escape"));
    const writer = await backendWith({ volumes: { output: join(root, "output") } });
    const out: WorkloadMount[] = [
      { kind: "output", volume: "output", subPath: "escape/alice", hostPath: join(root, "output", "escape/alice"), target: "/output", readOnly: false },
    ];
    const spec2 = busyboxSpec({ mounts: out });
    await expect(writer.start(spec2, { signal: never() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(stat(join(outside, "alice"))).rejects.toMatchObject({ code: "ENOENT" });
    await rm(outside, { recursive: true, force: true });
  });

  it("delivers the secret as a read-only file readable by the workload and deletes it on stop", async () => {
    const secretDir = join(root, "secrets");
    const backend = await backendWith({ secretDir });
    const spec = busyboxSpec({ secret: { value: "file-secret-value", file: "/run/calipso/secret" } });
    const started = await backend.start(spec, { signal: never() });
    try {
      const out = await execIn(started.handle.id, ["sh", "-c", "cat /run/calipso/secret; echo; echo x > /run/calipso/secret 2>&1; echo rc=$?"]);
      expect(out.output).toContain("file-secret-value");
      expect(out.output).toContain("rc=1");
      const info = await engine.getContainer(started.handle.id).inspect();
      expect((info.Config.Env ?? []).join("\n")).not.toContain("file-secret-value");
      expect((await stat(join(secretDir, spec.name))).isDirectory()).toBe(true);
    } finally {
      await backend.stop(started.handle);
    }
    await expect(stat(join(secretDir, spec.name))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a JSON round-tripped handle stops the container from a new adapter instance", async () => {
    const first = await backendWith();
    const spec = busyboxSpec();
    const started = await first.start(spec, { signal: never() });
    const stored = JSON.parse(JSON.stringify(started.handle)) as typeof started.handle;
    await first.dispose?.();
    const second = await backendWith();
    expect(await second.status(stored)).toEqual({ state: "running", endpoint: started.endpoint });
    await second.stop(stored);
    expect(await countLabelled(spec.labels)).toBe(0);
  });

  it("lists workloads by label for the reconciler, and never touches containers it did not create", async () => {
    const backend = await backendWith();
    const run = busyboxSpec().labels["calipso.test"]!;
    const a = await backend.start(busyboxSpec({ labels: { "calipso.run": run, role: "a" } }), { signal: never() });
    const b = await backend.start(busyboxSpec({ labels: { "calipso.run": run, role: "b" } }), { signal: never() });
    const foreign = await engine.createContainer({ Image: "localhost/busybox:latest", Cmd: ["sleep", "30"], Labels: { "calipso.run": run } });
    try {
      expect((await backend.list({ "calipso.run": run })).map((w) => w.handle.id).sort()).toEqual([a.handle.id, b.handle.id].sort());
      const [onlyB] = await backend.list({ "calipso.run": run, role: "b" });
      expect(onlyB?.handle.id).toBe(b.handle.id);
      expect(await backend.status(onlyB!.handle)).toEqual({ state: "running", endpoint: b.endpoint });
      const foreignHandle = { backend: "docker", id: foreign.id, state: { name: "x" } };
      expect(await backend.status(foreignHandle)).toEqual({ state: "stopped" });
      await backend.stop(foreignHandle);
      expect((await foreign.inspect()).Id).toBe(foreign.id);
    } finally {
      await Promise.all([backend.stop(a.handle), backend.stop(b.handle), foreign.remove({ force: true })]);
    }
  });

  it("on an internal network: no published port, the endpoint is the container's address on that network", async () => {
    const name = `cd-test-net-${process.pid}`;
    const network = await engine.createNetwork({ Name: name, Internal: true });
    try {
      const byIp = await backendWith({ network: name });
      const spec = busyboxSpec();
      const started = await byIp.start(spec, { signal: never() });
      const info = await engine.getContainer(started.handle.id).inspect();
      expect(Object.values(info.NetworkSettings.Ports ?? {}).flat().filter(Boolean)).toEqual([]);
      expect(started.endpoint).toEqual({ host: info.NetworkSettings.Networks[name]?.IPAddress, port: 5901, protocol: "http" });
      expect(await byIp.status(started.handle)).toEqual({ state: "running", endpoint: started.endpoint });
      const byName = await backendWith({ network: name, endpointHost: "name" });
      expect(await byName.status(started.handle)).toEqual({ state: "running", endpoint: { host: spec.name, port: 5901, protocol: "http" } });
      await byIp.stop(started.handle);
    } finally {
      await network.remove();
    }
  });

  it("becomes ready on a log line and on an HTTP path", async () => {
    const backend = await backendWith();
    const logSpec = busyboxSpec({
      command: ["sh", "-c", "sleep 0.3; echo 'desktop ready on :1'; exec httpd -f -p 5901 -h /tmp"],
      readiness: { log: "ready on :\\d" },
    });
    const httpSpec = busyboxSpec({ command: ["sh", "-c", "echo ok > /tmp/health; exec httpd -f -p 5901 -h /tmp"], readiness: { http: "/health" } });
    const [viaLog, viaHttp] = await Promise.all([backend.start(logSpec, { signal: never() }), backend.start(httpSpec, { signal: never() })]);
    expect((await backend.status(viaLog.handle)).state).toBe("running");
    const health = await fetch(`http://${viaHttp.endpoint.host}:${viaHttp.endpoint.port}/health`);
    expect((await health.text()).trim()).toBe("ok");
    await Promise.all([backend.stop(viaLog.handle), backend.stop(viaHttp.handle)]);
  });
}, { concurrent: true });
