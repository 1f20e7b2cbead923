/** @module Builds the engine's create-container body from a WorkloadSpec: limits, identity, isolation, ports. */
import type Docker from "dockerode";
import { AppError } from "@calipso/core";
import type { WorkloadSpec } from "@calipso/core";
import type { DockerConfig } from "./config.ts";
import { PROVIDER } from "./engine-errors.ts";

/** Label set on everything this backend creates; `list()` and `stop()` act only on containers with it. */
export const MANAGED_LABEL = "calipso.managed";
/** Label holding the workload's protocol (to rebuild the endpoint from the container alone). */
export const PROTOCOL_LABEL = "calipso.protocol";
/** Label holding the workload's container port. */
export const PORT_LABEL = "calipso.port";

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const CAPABILITY = /^(CAP_)?[A-Z_]{2,32}$/;

/** A bind mount resolved on the host. */
export interface ResolvedMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** Checks what the engine cannot: a DNS-1123 name, a non-root identity, sane capability names. */
export function checkSpec(spec: WorkloadSpec): void {
  if (!NAME.test(spec.name)) {
    throw new AppError("VALIDATION_FAILED", { detail: `Workload name ${JSON.stringify(spec.name)} is not a DNS-1123 label`, provider: PROVIDER });
  }
  if ((spec.user.uid === 0 || spec.user.gid === 0) && !spec.allowRoot) {
    throw new AppError("FORBIDDEN", {
      detail: `Workload ${spec.name} would run as ${spec.user.uid}:${spec.user.gid}; uid or gid 0 needs a template that sets allowRoot`,
      provider: PROVIDER,
    });
  }
  for (const cap of spec.capabilities) {
    if (!CAPABILITY.test(cap)) throw new AppError("VALIDATION_FAILED", { detail: `Invalid capability ${JSON.stringify(cap)}`, provider: PROVIDER });
  }
}


/** The labels of a workload's container: the spec's, then ours (which cannot be overridden). */
export function labelsFor(spec: WorkloadSpec): Record<string, string> {
  return { ...spec.labels, [MANAGED_LABEL]: "true", [PROTOCOL_LABEL]: spec.port.protocol, [PORT_LABEL]: String(spec.port.container) };
}

/**
 * The create-container body: never privileged, all capabilities dropped but the template's,
 * no-new-privileges, Init, the spec's uid:gid, memory (no extra swap), CPU, pids, ulimits, storage
 * when enabled, binds, and the port on `hostIp` with an engine-chosen host port (or only the network).
 */
export function buildCreateOptions(
  spec: WorkloadSpec,
  config: DockerConfig,
  mounts: readonly ResolvedMount[],
  extraEnv: Readonly<Record<string, string>> = {},
): Docker.ContainerCreateOptions {
  const port = `${spec.port.container}/tcp`;
  const memory = spec.resources.memoryMiB * 1024 * 1024;
  const env = { ...spec.env, ...extraEnv };
  const storage = config.storageLimit && spec.resources.storageGiB !== undefined ? { StorageOpt: { size: `${spec.resources.storageGiB}G` } } : {};
  const networking: Docker.HostConfig =
    config.network !== undefined
      ? { NetworkMode: config.network }
      : { PortBindings: { [port]: [{ HostIp: config.hostIp, HostPort: "" }] } };
  return {
    name: spec.name,
    Hostname: spec.name,
    Image: spec.image,
    ...(spec.command !== undefined ? { Cmd: [...spec.command] } : {}),
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    User: `${spec.user.uid}:${spec.user.gid}`,
    Labels: labelsFor(spec),
    ExposedPorts: { [port]: {} },
    HostConfig: {
      Init: true,
      Privileged: false,
      CapDrop: ["ALL"],
      CapAdd: spec.capabilities.map((c) => c.replace(/^CAP_/, "")),
      SecurityOpt: ["no-new-privileges"],
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.max(1, Math.round(spec.resources.cpu * 1e9)),
      PidsLimit: config.pidsLimit,
      Ulimits: [
        { Name: "nofile", Soft: config.ulimits.nofile, Hard: config.ulimits.nofile },
        { Name: "nproc", Soft: config.ulimits.nproc, Hard: config.ulimits.nproc },
      ],
      Mounts: mounts.map((m) => ({ Type: "bind" as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
      RestartPolicy: { Name: "no" },
      ...networking,
      ...storage,
    },
  };
}
