/** @module The JSON handle of a Docker workload and the endpoint read back from the engine. */
import { z } from "zod";
import type { ComputeHandle, Endpoint } from "@calipso/core";
import type Docker from "dockerode";
import type { DockerConfig } from "./config.ts";
import { isWildcardAddress } from "./config.ts";
import { PORT_LABEL, PROTOCOL_LABEL } from "./container-spec.ts";

/** Backend-specific part of a handle: enough to find the container and its secret folder again. */
export const DockerHandleStateSchema = z.object({
  name: z.string().min(1).describe("Container name (= workload name)"),
  hostPort: z.number().int().optional().describe("Published host port at start"),
  network: z.string().optional().describe("Network the workload is attached to, when not published"),
  secretFile: z.boolean().optional().describe("Whether a secret folder exists on the host for this workload"),
});
export type DockerHandleState = z.infer<typeof DockerHandleStateSchema>;

/** Builds a handle (plain JSON). */
export function makeHandle(backend: string, id: string, state: DockerHandleState): ComputeHandle {
  const json: Record<string, string | number | boolean> = { name: state.name };
  if (state.hostPort !== undefined) json["hostPort"] = state.hostPort;
  if (state.network !== undefined) json["network"] = state.network;
  if (state.secretFile !== undefined) json["secretFile"] = state.secretFile;
  return { backend, id, state: json };
}

/**
 * Where the gateway reaches a container: the published `hostIp:port` (or `advertiseHost`), or on the
 * configured network the container's IP or name and its own port. `undefined` while not yet known.
 */
export function endpointOf(info: Docker.ContainerInspectInfo, config: DockerConfig): Endpoint | undefined {
  const labels = info.Config.Labels ?? {};
  const protocol = (labels[PROTOCOL_LABEL] ?? "vnc") as Endpoint["protocol"];
  const containerPort = Number(labels[PORT_LABEL]);
  if (!Number.isInteger(containerPort) || containerPort < 1) return undefined;
  if (config.network !== undefined) {
    const net = info.NetworkSettings.Networks?.[config.network];
    if (config.endpointHost === "name") return { host: info.Name.replace(/^\//, ""), port: containerPort, protocol };
    const ip = net?.IPAddress;
    return ip ? { host: ip, port: containerPort, protocol } : undefined;
  }
  const binding = info.NetworkSettings.Ports?.[`${containerPort}/tcp`]?.[0];
  const hostPort = Number(binding?.HostPort);
  if (!binding || !Number.isInteger(hostPort) || hostPort < 1) return undefined;
  const host = config.advertiseHost ?? (isWildcardAddress(config.hostIp) ? "127.0.0.1" : config.hostIp);
  return { host, port: hostPort, protocol };
}
