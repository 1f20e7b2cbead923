/**
 * @module The mounts of a workload: the experiment's datasets read-only under the data root, the
 * user's output folder read-write, an optional home. Paths never escape their configured root:
 * `..`, foreign absolute paths, percent-encoding, backslashes, NUL and control characters are refused.
 */
import { AppError } from "../errors.ts";
import type { MountConfig } from "../calipso-types.ts";
import type { Experiment } from "../domain/experiment.ts";
import type { WorkloadMount } from "../ports/compute.ts";

const CONTROL = /[\u0000-\u001f\u007f]/;
const PERCENT = /%[0-9a-fA-F]{2}/;

/** Whether `root` is an absolute, normalised POSIX path (no trailing slash except `/` itself is refused too). */
export function isValidRoot(root: string): boolean {
  if (typeof root !== "string" || !root.startsWith("/") || root.length > 4096) return false;
  if (CONTROL.test(root) || root.includes("\\") || PERCENT.test(root)) return false;
  const segments = root.split("/").slice(1);
  return segments.length > 0 && segments.every((s) => s !== "" && s !== "." && s !== "..");
}

/** Throws `INVALID_CONFIG` unless every configured root and target is an absolute normalised path. */
export function checkMountConfig(config: MountConfig): void {
  const entries: [string, string | undefined][] = [
    ["mounts.dataRoot", config.dataRoot],
    ["mounts.outputRoot", config.outputRoot],
    ["mounts.homeRoot", config.homeRoot],
    ["mounts.dataTarget", config.dataTarget],
    ["mounts.outputTarget", config.outputTarget],
    ["mounts.homeTarget", config.homeTarget],
  ];
  for (const [name, value] of entries) {
    if (value !== undefined && !isValidRoot(value)) {
      throw new AppError("INVALID_CONFIG", { detail: `${name} must be an absolute, normalised path without '..' or a trailing slash` });
    }
  }
}

/**
 * The normalised path of `raw` below `root`: relative paths are taken from the root, absolute
 * ones must lie under it. Throws `VALIDATION_FAILED` for malformed paths and `FORBIDDEN` for
 * anything that would leave the root. Symbolic links are the backend's to refuse (they are not
 * visible from here); datasets are mounted read-only in any case.
 */
export function safeSubPath(raw: string, root: string, what = "path"): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 4096) {
    throw new AppError("VALIDATION_FAILED", { detail: `The ${what} is empty or too long` });
  }
  if (CONTROL.test(raw)) throw new AppError("VALIDATION_FAILED", { detail: `The ${what} contains a control character` });
  if (raw.includes("\\")) throw new AppError("VALIDATION_FAILED", { detail: `The ${what} contains a backslash` });
  if (PERCENT.test(raw)) throw new AppError("VALIDATION_FAILED", { detail: `The ${what} contains percent-encoding` });
  let rest = raw;
  if (raw.startsWith("/")) {
    if (raw !== root && !raw.startsWith(`${root}/`)) throw new AppError("FORBIDDEN", { detail: `The ${what} lies outside its configured root` });
    rest = raw.slice(root.length);
  }
  const segments = rest.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw new AppError("FORBIDDEN", { detail: `The ${what} contains a '..' segment` });
  return segments.join("/");
}

/** A safe single path segment from a proposal id or username: `[A-Za-z0-9._@-]`, never `.` or `..`. */
export function safeSegment(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._@-]/g, "_").slice(0, 128);
  if (cleaned === "" || /^\.+$/.test(cleaned)) return `_${cleaned.replace(/\./g, "_")}`;
  return cleaned;
}

function join(root: string, sub: string): string {
  return sub === "" ? root : `${root}/${sub}`;
}

/** What the mounts of one launch depend on. */
export interface MountRequest {
  readonly config: MountConfig;
  readonly username: string;
  /** The experiment of the launch; none for launches on the user's own resources. */
  readonly experiment?: Experiment;
  /** The chosen session; all sessions' datasets when absent. */
  readonly sessionId?: string;
}

/**
 * The mounts of a launch: datasets read-only, output read-write at
 * `outputRoot/<proposalId>/<username>` (experiment launches only), home at `homeRoot/<username>`.
 *
 * @example
 * resolveMounts({ config: { dataRoot: "/data", outputRoot: "/out" }, username: "alice", experiment });
 */
export function resolveMounts(request: MountRequest): WorkloadMount[] {
  const { config, username, experiment, sessionId } = request;
  checkMountConfig(config);
  const dataTarget = config.dataTarget ?? "/data";
  const outputTarget = config.outputTarget ?? "/output";
  const homeTarget = config.homeTarget ?? "/home/calipso";
  const user = safeSegment(username);
  const mounts: WorkloadMount[] = [];
  if (experiment) {
    const sessions = sessionId === undefined ? experiment.sessions : experiment.sessions.filter((s) => s.id === sessionId);
    const seen = new Set<string>();
    for (const session of sessions) {
      for (const dataset of session.datasets) {
        const sub = safeSubPath(dataset.path, config.dataRoot, `dataset path of experiment ${experiment.proposalId}`);
        if (sub === "") throw new AppError("FORBIDDEN", { detail: `A dataset of experiment ${experiment.proposalId} is the whole data root` });
        if (seen.has(sub)) continue;
        seen.add(sub);
        mounts.push({ kind: "dataset", volume: "data", subPath: sub, hostPath: join(config.dataRoot, sub), target: `${dataTarget}/${sub}`, readOnly: true });
      }
    }
    const out = `${safeSegment(experiment.proposalId)}/${user}`;
    mounts.push({ kind: "output", volume: "output", subPath: out, hostPath: join(config.outputRoot, out), target: outputTarget, readOnly: false });
  }
  if (config.homeRoot !== undefined) {
    mounts.push({ kind: "home", volume: "home", subPath: user, hostPath: join(config.homeRoot, user), target: homeTarget, readOnly: false });
  }
  return mounts;
}
