/**
 * @module What the backend prepares on the engine host: mount sources (checked to stay inside their
 * configured roots, output/home folders created with the workload's owner) and per-instance secret files.
 */
import { chown, lstat, mkdir, realpath, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, isAbsolute, sep } from "node:path";
import { AppError } from "@calipso/core";
import type { PosixIdentity, WorkloadMount, WorkloadSpec } from "@calipso/core";
import type { DockerConfig } from "./config.ts";
import type { ResolvedMount } from "./container-spec.ts";
import { PROVIDER } from "./engine-errors.ts";

const exists = async (path: string) => stat(path).then(() => true, () => false);

/** Whether `child` is `root` or below it. */
function inside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** Creates `path` and its missing parents below `stopAt`, each owned by `owner` with `mode`. */
async function mkdirOwned(path: string, stopAt: string, owner: PosixIdentity, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let p = path; !(await exists(p)) && inside(stopAt, p) && p !== stopAt; p = dirname(p)) missing.unshift(p);
  for (const dir of missing) {
    await mkdir(dir, { mode });
    await chown(dir, owner.uid, owner.gid);
  }
}

/**
 * Resolves one mount on the host. With a configured root for its volume, the path is rebuilt as
 * root + subPath and its real path must stay inside the root's real path (no symlink escape).
 * Datasets must exist and are always read-only; a missing output or home folder is created with the
 * workload's uid:gid.
 */
export async function resolveMount(mount: WorkloadMount, spec: WorkloadSpec, config: DockerConfig): Promise<ResolvedMount> {
  const root = config.volumes[mount.volume];
  const readOnly = mount.kind === "dataset" ? true : mount.readOnly;
  const wanted = root !== undefined ? join(root, mount.subPath) : mount.hostPath;
  const label = `${mount.kind} mount ${mount.target}`;
  if (!isAbsolute(wanted)) throw new AppError("VALIDATION_FAILED", { detail: `${label}: host path is not absolute`, provider: PROVIDER });
  if (root !== undefined && !inside(root, wanted)) {
    throw new AppError("FORBIDDEN", { detail: `${label}: ${mount.subPath} leaves the ${mount.volume} root`, provider: PROVIDER });
  }
  const escapes = async (path: string) => root !== undefined && !inside(await realpath(root), await realpath(path));
  const forbidden = () => new AppError("FORBIDDEN", { detail: `${label}: ${mount.subPath} resolves outside the ${mount.volume} root`, provider: PROVIDER });
  if (!(await exists(wanted))) {
    if (readOnly) throw new AppError("NOT_FOUND", { detail: `${label}: ${mount.volume}/${mount.subPath} does not exist`, provider: PROVIDER });
    // Check the deepest existing ancestor before creating anything: a symlink there must not lead outside.
    let ancestor = dirname(wanted);
    while (!(await exists(ancestor)) && ancestor !== dirname(ancestor)) ancestor = dirname(ancestor);
    if (await escapes(ancestor)) throw forbidden();
    await mkdirOwned(wanted, root ?? dirname(wanted), spec.user, config.outputMode);
  }
  const real = await realpath(wanted);
  if (await escapes(wanted)) throw forbidden();
  return { source: real, target: mount.target, readOnly };
}

/** The per-instance secret folder of a workload (deterministic, so a new process can delete it). */
export function secretFolder(config: DockerConfig, name: string): string {
  return join(config.secretDir, name);
}

/** Creates the secret root (0700) and refuses one that is a symlink or not ours. */
async function secretRoot(config: DockerConfig): Promise<void> {
  await mkdir(config.secretDir, { recursive: true, mode: 0o700 });
  const info = await lstat(config.secretDir);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0) {
    throw new AppError("INVALID_CONFIG", {
      detail: `secretDir ${config.secretDir} must be a real folder owned by this process with mode 0700`,
      provider: PROVIDER,
    });
  }
}

/**
 * Writes the secret into `<secretDir>/<name>/secret` (0400, owned by the workload's uid:gid) and
 * returns the read-only bind of it at `target`.
 */
export async function writeSecretFile(config: DockerConfig, spec: WorkloadSpec, value: string, target: string): Promise<ResolvedMount> {
  await secretRoot(config);
  const folder = secretFolder(config, spec.name);
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { mode: 0o700 });
  const file = join(folder, "secret");
  await writeFile(file, value, { mode: 0o400, flag: "wx" });
  await chown(file, spec.user.uid, spec.user.gid);
  return { source: file, target, readOnly: true };
}

/** Deletes a workload's secret folder (idempotent). */
export async function removeSecretFolder(config: DockerConfig, name: string): Promise<void> {
  if (!/^[a-z0-9-]{1,63}$/.test(name)) return;
  await rm(secretFolder(config, name), { recursive: true, force: true });
}
