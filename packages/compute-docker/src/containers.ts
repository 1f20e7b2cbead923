/** @module Container housekeeping: force removal that tolerates races, and the status a container maps to. */
import type Docker from "dockerode";
import type { ComputeStatus } from "@calipso/core";
import type { DockerConfig } from "./config.ts";
import { engineMessage, statusOf } from "./engine-errors.ts";
import { endpointOf } from "./handle.ts";

/** Force-removes a container; a missing one, or a removal already in progress that completes, counts as done. */
export async function removeContainer(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) return;
    if (status !== 409 && !(status === 500 && /remov/i.test(engineMessage(error)))) throw error;
    for (let i = 0; i < 50; i++) {
      try {
        await container.inspect();
      } catch (e) {
        if (statusOf(e) === 404) return;
        throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * What a managed container's inspect data means: running (with the endpoint), pending (created,
 * restarting, paused, or no address yet), failed (OOM, non-zero exit) or stopped.
 */
export function statusFromInspect(info: Docker.ContainerInspectInfo, config: DockerConfig): ComputeStatus {
  const s = info.State;
  if (s.Running && !s.Paused && !s.Restarting) {
    const endpoint = endpointOf(info, config);
    return endpoint ? { state: "running", endpoint } : { state: "pending" };
  }
  if (s.Status === "created" || s.Restarting || s.Paused) return { state: "pending" };
  if (s.Status === "removing") return { state: "stopped" };
  if (s.OOMKilled) return { state: "failed", reason: `killed: out of memory (limit ${info.HostConfig.Memory ?? "?"} bytes)` };
  if (s.ExitCode !== 0) return { state: "failed", reason: `exited with code ${s.ExitCode}` };
  return { state: "stopped", exitCode: s.ExitCode };
}
