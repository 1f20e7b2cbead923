/** @module Options of `describeComputeBackend()` and the workload specs the compute suites start. */
import type { ComputeHandle, WorkloadSpec } from "@calipso/core";
import type { z } from "zod";
import type { BaseKitOptions } from "../shared/kit.ts";
import { randomSuffix } from "../shared/kit.ts";

/**
 * An independent view of the backend's world (NOT through the provider under test): the Docker API,
 * `kubectl`, the fake's own state. The kit uses it to prove that nothing is left behind.
 */
export interface ComputeInspector {
  /** Whether anything of the workload behind `handle` still exists (container, pod, job...). */
  exists(handle: ComputeHandle): Promise<boolean>;
  /** How many workloads carry every label of `selector` (including stopped but not removed ones). */
  count(selector: Readonly<Record<string, string>>): Promise<number>;
}

/**
 * A spec, or what to change in the kit's default spec. The kit always sets `name` (unique per test)
 * and adds its labels (`calipso.kit` and friends) to yours.
 */
export type WorkloadOption = Partial<WorkloadSpec> | ((defaults: WorkloadSpec) => WorkloadSpec);

/** Options of {@link describeComputeBackend}. */
export interface ComputeKitOptions<S extends z.ZodType = z.ZodType> extends BaseKitOptions<"compute", S> {
  /** A workload that starts and becomes ready here (e.g. `{ image: "busybox", command: [...] }`). */
  readonly workload: WorkloadOption;
  /** A workload whose start fails (default: an image that does not exist). */
  readonly failingWorkload?: WorkloadOption;
  /** Independent inspection of the backend. */
  readonly inspect: ComputeInspector;
  /**
   * A handle of this backend for a workload that never existed, made from a real one
   * (default: the same handle with another `id`).
   */
  readonly unknownHandle?: (real: ComputeHandle) => ComputeHandle;
}

/** The kit's default spec: unprivileged, small, no mounts, VNC port, TCP readiness. */
export function defaultWorkloadSpec(overrides: Partial<WorkloadSpec> = {}): WorkloadSpec {
  const suffix = randomSuffix();
  return {
    name: `calipso-kit-${suffix}`,
    image: "busybox:latest",
    env: {},
    resources: { cpu: 0.1, memoryMiB: 64 },
    user: { uid: 1000, gid: 1000 },
    allowRoot: false,
    capabilities: [],
    mounts: [],
    port: { container: 5901, protocol: "vnc" },
    readiness: { tcp: true },
    timeoutSec: 30,
    labels: { "calipso.kit": suffix },
    secret: { value: `kit-secret-${randomSuffix(8)}`, env: "CALIPSO_DESKTOP_PASSWORD" },
    ...overrides,
  };
}

/**
 * A fresh spec for one test: a unique name, the kit's labels (`calipso.kit` = a unique run id, plus
 * `extraLabels`), then the author's option applied.
 */
export function workloadFor(option: WorkloadOption, extraLabels: Readonly<Record<string, string>> = {}): WorkloadSpec {
  const base = defaultWorkloadSpec();
  const withLabels = { ...base, labels: { ...base.labels, ...extraLabels } };
  if (typeof option === "function") {
    const spec = option(withLabels);
    return { ...spec, name: withLabels.name, labels: { ...spec.labels, ...withLabels.labels } };
  }
  return { ...withLabels, ...option, name: withLabels.name, labels: { ...(option.labels ?? {}), ...withLabels.labels } };
}

/** The default failing workload: an image that cannot exist. */
export const MISSING_IMAGE: Partial<WorkloadSpec> = { image: "registry.invalid/calipso-kit/does-not-exist:never" };

/** The default unknown handle: the real one with another id. */
export function defaultUnknownHandle(real: ComputeHandle): ComputeHandle {
  return { ...real, id: `${real.id}-calipso-kit-unknown` };
}

/** The failing workload to use: the author's, or the working one with an image that cannot exist. */
export function failingWorkloadOf(options: Pick<ComputeKitOptions, "workload" | "failingWorkload">): WorkloadOption {
  if (options.failingWorkload !== undefined) return options.failingWorkload;
  const ok = options.workload;
  return typeof ok === "function" ? (d) => ({ ...ok(d), ...MISSING_IMAGE }) : { ...ok, ...MISSING_IMAGE };
}
