/** @module The ComputeBackend port (after JupyterHub's spawner contract) and the WorkloadSpec. */
import type { ComputeHandle, Endpoint } from "../domain/instance.ts";
import type { PosixIdentity } from "../domain/experiment.ts";
import type { Readiness, Resources } from "../domain/template.ts";

/** A mount of a workload. Paths were checked by core: `subPath` never escapes its root. */
export interface WorkloadMount {
  /** What the mount is for. */
  readonly kind: "dataset" | "output" | "home";
  /** Which configured root the mount comes from. */
  readonly volume: "data" | "output" | "home";
  /** Normalised path below the root (no `..`, no leading `/`); empty for the root itself. */
  readonly subPath: string;
  /** Absolute host path: root + subPath (for host-path backends such as Docker). */
  readonly hostPath: string;
  /** Absolute path inside the workload. */
  readonly target: string;
  readonly readOnly: boolean;
}

/** Everything a backend needs to start one workload. Built by core; never from raw user input. */
export interface WorkloadSpec {
  /** DNS-1123 label, unique per instance (e.g. `calipso-3f9a…`). */
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly resources: Resources;
  /** POSIX identity to run as. */
  readonly user: PosixIdentity;
  /** Whether uid 0 is allowed (the template said so explicitly). */
  readonly allowRoot: boolean;
  /** Linux capabilities to keep; all others are dropped. */
  readonly capabilities: readonly string[];
  readonly mounts: readonly WorkloadMount[];
  /** The port the desktop or web app listens on inside the workload. */
  readonly port: { readonly container: number; readonly protocol: Endpoint["protocol"] };
  readonly readiness: Readiness;
  readonly timeoutSec: number;
  /** Labels to put on everything created (`calipso.instance`, `calipso.owner`, ...). */
  readonly labels: Readonly<Record<string, string>>;
  /** Per-instance desktop secret and how to deliver it. */
  readonly secret: { readonly value: string } & ({ readonly env: string } | { readonly file: string });
}

/** A progress event while a workload starts. */
export interface ComputeProgress {
  readonly step: "create" | "pull" | "schedule" | "start" | "ready" | "info";
  readonly message: string;
  readonly percent?: number;
}

export interface ComputeStartOptions {
  /** Aborted when the caller gives up (timeout, terminate, shutdown): stop and clean up. */
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: ComputeProgress) => void;
}

/** The result of a successful start: the workload is running and ready. */
export interface ComputeStarted {
  readonly handle: ComputeHandle;
  readonly endpoint: Endpoint;
}

/** What a backend knows of a workload. */
export type ComputeStatus =
  | { readonly state: "pending" }
  | { readonly state: "running"; readonly endpoint: Endpoint }
  | { readonly state: "stopped"; readonly exitCode?: number }
  | { readonly state: "failed"; readonly reason: string };

/** A workload found by `list()`. */
export interface ListedWorkload {
  readonly handle: ComputeHandle;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Runs workloads. `start` resolves once the workload is ready; on any failure or abort it
 * removes whatever it created before it rejects. `stop` is idempotent. Handles are JSON and
 * must work in a new process.
 */
export interface ComputeBackend {
  start(spec: WorkloadSpec, options: ComputeStartOptions): Promise<ComputeStarted>;
  status(handle: ComputeHandle): Promise<ComputeStatus>;
  stop(handle: ComputeHandle): Promise<void>;
  /** Workloads whose labels include every `selector` pair. */
  list(selector: Readonly<Record<string, string>>): Promise<readonly ListedWorkload[]>;
  dispose?(): Promise<void>;
}

/** Capabilities a compute backend declares. */
export interface ComputeCapabilities {
  readonly progress?: boolean;
  /** Which resources the backend enforces. */
  readonly resourceLimits?: readonly ("cpu" | "memory" | "storage")[];
  readonly readiness?: readonly ("tcp" | "log" | "http")[];
}
