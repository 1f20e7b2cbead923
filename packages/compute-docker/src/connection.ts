/**
 * @module Where the engine is and how to talk to it: explicit resolution of `socketPath`, `host`,
 * `DOCKER_HOST` (+ `DOCKER_CERT_PATH`), the TLS rule for tcp://, and API version negotiation.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import Docker from "dockerode";
import { AppError } from "@calipso/core";
import type { DockerConfig } from "./config.ts";

/** Default engine socket when neither the config nor DOCKER_HOST name one. */
export const DEFAULT_SOCKET = "/var/run/docker.sock";
/** Lowest Docker API version the backend uses (Docker 20.10, podman 4). */
export const MIN_API_VERSION = "1.41";
/** Highest Docker API version the backend asks for. */
export const MAX_API_VERSION = "1.45";

/** A resolved engine address. */
export type EngineAddress =
  | { readonly kind: "unix"; readonly socketPath: string; readonly source: string }
  | {
      readonly kind: "tcp";
      readonly host: string;
      readonly port: number;
      readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string };
      readonly source: string;
    };

const invalid = (detail: string) => new AppError("INVALID_CONFIG", { detail, provider: "docker" });

/**
 * Resolves the engine address: `socketPath`, then `host`, then `DOCKER_HOST` (with `DOCKER_CERT_PATH`
 * for its certificates), then {@link DEFAULT_SOCKET}. A tcp:// address without TLS client
 * certificates is refused unless `allowInsecureTcp` is set.
 */
export function resolveEngineAddress(config: DockerConfig, env: Readonly<Record<string, string | undefined>>): EngineAddress {
  if (config.socketPath !== undefined) return { kind: "unix", socketPath: config.socketPath, source: "socketPath" };
  const fromEnv = config.host === undefined && env["DOCKER_HOST"] !== undefined && env["DOCKER_HOST"] !== "";
  const raw = config.host ?? (fromEnv ? env["DOCKER_HOST"] : undefined);
  const source = config.host !== undefined ? "host" : "DOCKER_HOST";
  if (raw === undefined) return { kind: "unix", socketPath: DEFAULT_SOCKET, source: "default" };
  if (raw.startsWith("unix://")) {
    const socketPath = raw.slice("unix://".length);
    if (!socketPath.startsWith("/")) throw invalid(`${source}: a unix:// address needs an absolute path, got ${JSON.stringify(raw)}`);
    return { kind: "unix", socketPath, source };
  }
  if (!raw.startsWith("tcp://")) throw invalid(`${source}: only unix:// and tcp:// engine addresses are supported, got ${JSON.stringify(raw)}`);
  let url: URL;
  try {
    url = new URL(`http://${raw.slice("tcp://".length)}`);
  } catch {
    throw invalid(`${source}: ${JSON.stringify(raw)} is not a valid tcp://host:port address`);
  }
  let tls = config.tls;
  const certPath = env["DOCKER_CERT_PATH"];
  if (tls === undefined && fromEnv && certPath) {
    tls = { ca: join(certPath, "ca.pem"), cert: join(certPath, "cert.pem"), key: join(certPath, "key.pem") };
  }
  if (tls === undefined && !config.allowInsecureTcp) {
    throw invalid(
      `${source}: the engine at ${raw} would be reached over plain TCP, which gives anyone on the network root on that host; ` +
        "configure tls (ca, cert, key) or, for a throw-away test engine only, allowInsecureTcp: true",
    );
  }
  const port = url.port === "" ? (tls ? 2376 : 2375) : Number(url.port);
  return { kind: "tcp", host: url.hostname.replace(/^\[|\]$/g, ""), port, ...(tls ? { tls } : {}), source };
}

/** Reads a PEM file named in the config, as INVALID_CONFIG when it cannot be read. */
function pem(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new AppError("INVALID_CONFIG", { detail: `tls.${field}: cannot read ${path}`, provider: "docker", cause });
  }
}

/**
 * A dockerode client for the address. Every modem field is given explicitly, so the environment
 * variables that docker-modem reads on its own cannot override the resolved address.
 */
export function createClient(address: EngineAddress, config: DockerConfig): Docker {
  const common = { timeout: config.requestTimeoutMs, version: undefined, headers: { "User-Agent": "calipso-compute-docker" } };
  if (address.kind === "unix") {
    return new Docker({ ...common, socketPath: address.socketPath, host: undefined, port: undefined, protocol: "http" } as Docker.DockerOptions);
  }
  const tls = address.tls
    ? { ca: pem(address.tls.ca, "ca"), cert: pem(address.tls.cert, "cert"), key: pem(address.tls.key, "key"), protocol: "https" as const }
    : { ca: undefined, cert: undefined, key: undefined, protocol: "http" as const };
  return new Docker({ ...common, socketPath: undefined, host: address.host, port: address.port, ...tls } as Docker.DockerOptions);
}

/** Compares two `1.NN` versions. */
export function compareApiVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split(".").map(Number);
  const [bm = 0, bn = 0] = b.split(".").map(Number);
  return am - bm || an - bn;
}

/** The version both sides speak: the engine's, capped at {@link MAX_API_VERSION}. */
export function negotiateApiVersion(engineVersion: string | undefined): string {
  if (engineVersion === undefined || !/^1\.\d+$/.test(engineVersion)) return MIN_API_VERSION;
  return compareApiVersions(engineVersion, MAX_API_VERSION) > 0 ? MAX_API_VERSION : engineVersion;
}

/** Human text of an address for errors and logs (no credentials in it). */
export function describeAddress(address: EngineAddress): string {
  return address.kind === "unix" ? `unix://${address.socketPath}` : `${address.tls ? "tcp+tls" : "tcp"}://${address.host}:${address.port}`;
}

/**
 * The engine's API version from the `Api-Version` header of `GET /_ping` (cheap: podman's
 * `/version` takes seconds). `undefined` when the engine does not send the header.
 */
export function pingApiVersion(address: EngineAddress, config: DockerConfig): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const common = { path: "/_ping", method: "GET", timeout: config.requestTimeoutMs, headers: { "User-Agent": "calipso-compute-docker" } };
    const onResponse = (res: import("node:http").IncomingMessage) => {
      res.resume();
      if ((res.statusCode ?? 500) >= 400) {
        reject(Object.assign(new Error(`ping answered ${res.statusCode}`), { statusCode: res.statusCode }));
        return;
      }
      const header = res.headers["api-version"];
      resolve(typeof header === "string" ? header : undefined);
    };
    const req =
      address.kind === "unix"
        ? httpRequest({ ...common, socketPath: address.socketPath }, onResponse)
        : address.tls
          ? httpsRequest(
              { ...common, host: address.host, port: address.port, ca: pem(address.tls.ca, "ca"), cert: pem(address.tls.cert, "cert"), key: pem(address.tls.key, "key") },
              onResponse,
            )
          : httpRequest({ ...common, host: address.host, port: address.port }, onResponse);
    req.on("timeout", () => req.destroy(Object.assign(new Error("ping timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end();
  });
}
