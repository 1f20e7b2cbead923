/**
 * @module Test support: the real engine the suites run against (podman's Docker API in CI), a skip
 * that names its reason — or a failure when CALIPSO_REQUIRE_REAL=1 — and direct engine checks.
 */
import { afterAll, describe, it } from "vitest";
import Docker from "dockerode";
import { instantiate } from "@calipso/core";
import type { ComputeBackend, WorkloadSpec } from "@calipso/core";
import { createTestContext } from "@calipso/sdk/testing";
import { dockerBackend } from "../definition.ts";
import type { DockerConfigInput } from "../config.ts";

/** The engine socket (CI: `.ci/podman-env.sh`). */
export const SOCKET = process.env["CALIPSO_DOCKER_SOCKET"] ?? "/tmp/calipso-ci/podman.sock";
/** The busybox image built by `.ci/setup.d/20-docker-images.sh`. */
export const BUSYBOX = "localhost/busybox:latest";
/** The Xvnc desktop image built by `.ci/setup.d/20-docker-images.sh`. */
export const XVNC = "localhost/calipso-xvnc:latest";

/** A dockerode client that bypasses the adapter (to check what really exists). */
export const engine = new Docker({ socketPath: SOCKET, host: undefined, port: undefined } as Docker.DockerOptions);

async function probe(): Promise<string | undefined> {
  try {
    await engine.ping();
  } catch (error) {
    return `no container engine at ${SOCKET} (${(error as Error).message}); run .ci/podman-up.sh`;
  }
  for (const image of [BUSYBOX, XVNC]) {
    try {
      await engine.getImage(image).inspect();
    } catch {
      return `image ${image} missing; run .ci/setup.d/20-docker-images.sh`;
    }
  }
  return undefined;
}

/** Label value shared by every test workload of this test file (to sweep what a failed test left). */
export const FILE_RUN = `f${Math.random().toString(36).slice(2, 10)}`;

/** Removes every container this test file labelled (a failed or timed-out test may leave one). */
async function sweep(): Promise<void> {
  const rows = await engine.listContainers({ all: true, filters: { label: [`calipso.test-file=${FILE_RUN}`] } });
  await Promise.all(rows.map((r) => engine.getContainer(r.Id).remove({ force: true }).catch(() => undefined)));
}

/** Why the real-engine suites cannot run here, or undefined when they can. */
export const unavailable = await probe();

/**
 * `describe` for a suite that needs the engine: runs when it is there; otherwise skipped with the
 * reason in the title, or failing when CALIPSO_REQUIRE_REAL=1.
 */
export function describeEngine(title: string, fn: () => void, options: { concurrent?: boolean } = {}): void {
  if (unavailable === undefined) {
    (options.concurrent ? describe.concurrent : describe)(title, () => {
      afterAll(sweep);
      fn();
    });
  }
  else if (process.env["CALIPSO_REQUIRE_REAL"] === "1") {
    describe(title, () => it("needs a container engine (CALIPSO_REQUIRE_REAL=1)", () => { throw new Error(unavailable); }));
  } else describe.skip(`${title} (skipped: ${unavailable})`, fn);
}

/** The test config: the CI socket, short timings. */
export function testConfig(extra: DockerConfigInput = {}): DockerConfigInput {
  return { socketPath: SOCKET, stopGraceSec: 2, readinessIntervalMs: 50, cleanupRetrySec: 3, secretDir: "/tmp/calipso-ci/secrets", ...extra };
}

/** A backend instance made through `instantiate` (as the server does). */
export function backendWith(extra: DockerConfigInput = {}): Promise<ComputeBackend> {
  return instantiate(dockerBackend, testConfig(extra), createTestContext());
}

let counter = 0;
/** A unique run id for labels and names. */
export function runId(): string {
  return `${process.pid.toString(36)}${Date.now().toString(36)}${(counter++).toString(36)}`;
}

/** A small busybox workload that listens on 5901 (httpd) as 1000:1000. */
export function busyboxSpec(overrides: Partial<WorkloadSpec> = {}): WorkloadSpec {
  const id = runId();
  const { labels, ...rest } = overrides;
  return {
    name: `cd-test-${id}`,
    image: BUSYBOX,
    command: ["httpd", "-f", "-p", "5901", "-h", "/tmp"],
    env: {},
    resources: { cpu: 0.5, memoryMiB: 64 },
    user: { uid: 1000, gid: 1000 },
    allowRoot: false,
    capabilities: [],
    mounts: [],
    port: { container: 5901, protocol: "http" },
    readiness: { tcp: true },
    timeoutSec: 20,
    secret: { value: `s3cret-${id}`, env: "CALIPSO_DESKTOP_PASSWORD" },
    ...rest,
    labels: { "calipso.test": id, "calipso.test-file": FILE_RUN, "calipso.instance": `inst-${id}`, ...labels },
  };
}

/** How many containers (any state) carry every label of `labels`, asked of the engine directly. */
export async function countLabelled(labels: Readonly<Record<string, string>>): Promise<number> {
  const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  const rows = await engine.listContainers({ all: true, filters: { label } });
  return rows.filter((r) => Object.entries(labels).every(([k, v]) => r.Labels?.[k] === v)).length;
}

/** Runs a command in a container (as the container's user) and returns its output and exit code. */
export async function execIn(id: string, cmd: string[]): Promise<{ output: string; exitCode: number | null }> {
  const exec = await engine.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  const { PassThrough } = await import("node:stream");
  const out = new PassThrough();
  out.on("data", (d: Buffer) => chunks.push(d));
  engine.modem.demuxStream(stream, out, out);
  await new Promise((resolve) => stream.on("end", resolve));
  const info = await exec.inspect();
  return { output: Buffer.concat(chunks).toString("utf8"), exitCode: info.ExitCode };
}
