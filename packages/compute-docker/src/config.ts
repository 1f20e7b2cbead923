/** @module Configuration schema of the Docker compute backend (strict, described, defaults in the schema). */
import { z } from "zod";

const ulimit = (name: string, fallback: number) =>
  z
    .number()
    .int()
    .min(64)
    .max(1_048_576)
    .default(fallback)
    .describe(`Soft and hard ${name} limit of the workload; must not exceed the engine host's own hard limit`);

const absolutePath = (what: string) => z.string().startsWith("/").max(4096).describe(what);

/** TLS client certificates for a `tcp://` engine (file paths on the Calipso host, PEM). */
export const DockerTlsSchema = z
  .strictObject({
    ca: absolutePath("CA certificate that signed the engine's server certificate (PEM file)"),
    cert: absolutePath("Client certificate (PEM file)"),
    key: absolutePath("Client private key (PEM file)"),
  })
  .describe("TLS client certificates for a tcp:// engine (mutual TLS, as `dockerd --tlsverify` expects)");

/** Host roots of the mounts: when set, every mount path is resolved and checked to stay inside its root. */
export const DockerVolumesSchema = z
  .strictObject({
    data: absolutePath("Host root of the datasets (mounted read-only)").optional(),
    output: absolutePath("Host root of the per-experiment output folders (mounted read-write)").optional(),
    home: absolutePath("Host root of the home folders (mounted read-write)").optional(),
  })
  .describe("Host roots of the mounts; a mount whose real path (symlinks resolved) leaves its root is refused");

/** The configuration of the `docker` compute backend. */
export const DockerConfigSchema = z
  .strictObject({
    socketPath: absolutePath("Unix socket of the engine; takes precedence over `host` and DOCKER_HOST").optional(),
    host: z
      .string()
      .regex(/^(unix:\/\/\/|tcp:\/\/)/, "must start with unix:/// or tcp://")
      .max(4096)
      .optional()
      .describe("Engine address, unix:///path or tcp://host:port; default: $DOCKER_HOST, else unix:///var/run/docker.sock"),
    tls: DockerTlsSchema.optional(),
    allowInsecureTcp: z
      .boolean()
      .default(false)
      .describe("Allow a tcp:// engine without TLS client certificates (unauthenticated root on the engine host: never in production)"),
    apiVersion: z
      .string()
      .regex(/^1\.\d{2}$/, "must look like 1.41")
      .optional()
      .describe("Pin the Docker API version; default: negotiated with the engine (highest both support)"),
    requestTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(120_000)
      .describe("Inactivity timeout of one engine API request (engines queue container starts: keep it well above a burst's wait)"),
    hostIp: z
      .union([z.ipv4(), z.ipv6()])
      .default("127.0.0.1")
      .describe("Host address the workload port is published on; 0.0.0.0 or :: need `allowAllInterfaces`"),
    allowAllInterfaces: z
      .boolean()
      .default(false)
      .describe("Allow publishing on every host interface (0.0.0.0 / ::); then anyone who can reach the host reaches the desktop"),
    advertiseHost: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe("Host name the desktop gateway uses to reach published ports (default: hostIp, or 127.0.0.1 for 0.0.0.0)"),
    network: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/)
      .optional()
      .describe("Attach workloads only to this (internal) network, publishing no port; the gateway must share it"),
    endpointHost: z
      .enum(["ip", "name"])
      .default("ip")
      .describe("With `network`: give the gateway the container's IP address or its name (DNS on the network)"),
    pidsLimit: z.number().int().min(16).max(4_194_304).default(1024).describe("Maximum number of processes in one workload"),
    ulimits: z
      .strictObject({ nofile: ulimit("open files", 16384), nproc: ulimit("processes per user", 16384) })
      .default({ nofile: 16384, nproc: 16384 })
      .describe("Resource limits (setrlimit) of the workload"),
    storageLimit: z
      .boolean()
      .default(false)
      .describe("Enforce `resources.storageGiB` with StorageOpt size (needs overlay on xfs with pquota, btrfs or zfs; not podman on ext4)"),
    volumes: DockerVolumesSchema.default({}),
    outputMode: z
      .number()
      .int()
      .min(0)
      .max(0o777)
      .default(0o750)
      .describe("Permission bits of an output or home folder the backend creates (owned by the workload's uid:gid)"),
    secretDir: absolutePath("Host folder for per-instance secret files (created 0700; bound read-only, deleted on stop)").default(
      "/tmp/calipso-docker-secrets",
    ),
    pull: z
      .enum(["missing", "never"])
      .default("missing")
      .describe("Pull an image when it is not on the engine (`missing`), or only use local images (`never`)"),
    stopGraceSec: z.number().int().min(0).max(300).default(10).describe("Grace period between SIGTERM and SIGKILL on stop"),
    readinessIntervalMs: z.number().int().min(10).max(10_000).default(50).describe("Pause between readiness probes"),
    tcpSettleMs: z
      .number()
      .int()
      .min(0)
      .max(5000)
      .default(25)
      .describe("TCP readiness: an accepted connection must stay open this long (or send data); Docker's userland proxy accepts and then closes when nothing listens"),
    cleanupRetrySec: z
      .number()
      .min(0)
      .max(600)
      .default(10)
      .describe("How long a failed start keeps retrying to remove what it created (engine unreachable, removal racing a start)"),
    logTailLines: z.number().int().min(0).max(200).default(20).describe("Log lines quoted in the error of a workload that exited early"),
  })
  .superRefine((config, ctx) => {
    if (isWildcardAddress(config.hostIp) && !config.allowAllInterfaces) {
      ctx.addIssue({
        code: "custom",
        path: ["hostIp"],
        message: `${config.hostIp} publishes desktops on every interface; use 127.0.0.1 (default) or a gateway-facing address, or set allowAllInterfaces`,
      });
    }
    if (config.host?.startsWith("tcp://") && config.socketPath === undefined && config.tls === undefined && !config.allowInsecureTcp) {
      ctx.addIssue({
        code: "custom",
        path: ["host"],
        message: "a tcp:// engine needs tls (ca, cert, key): plain TCP gives anyone on the network root on the engine host (allowInsecureTcp overrides)",
      });
    }
  })
  .describe("Docker compute backend (Docker Engine API through dockerode; podman's compatible API works too)");

/** Whether an IP address is the unspecified address (every interface). */
export function isWildcardAddress(ip: string): boolean {
  if (ip === "0.0.0.0") return true;
  if (!ip.includes(":")) return false;
  return ip.split(":").every((part) => /^0*$/.test(part));
}

export type DockerConfig = z.output<typeof DockerConfigSchema>;
export type DockerConfigInput = z.input<typeof DockerConfigSchema>;
