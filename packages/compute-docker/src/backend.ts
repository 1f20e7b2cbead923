/**
 * @module The Docker ComputeBackend: start (image → create → start → ready, removing everything on any
 * failure or abort), status, idempotent stop, list by labels.
 */
import type Docker from "dockerode";
import { AppError } from "@calipso/core";
import type {
  ComputeBackend,
  ComputeHandle,
  ComputeProgress,
  ComputeStartOptions,
  ComputeStarted,
  ComputeStatus,
  ListedWorkload,
  ProviderContext,
  WorkloadSpec,
} from "@calipso/core";
import type { DockerConfig } from "./config.ts";
import { MIN_API_VERSION, compareApiVersions, createClient, describeAddress, negotiateApiVersion, pingApiVersion, resolveEngineAddress } from "./connection.ts";
import type { EngineAddress } from "./connection.ts";
import { MANAGED_LABEL, buildCreateOptions, checkSpec } from "./container-spec.ts";
import type { ResolvedMount } from "./container-spec.ts";
import { PROVIDER, engineError, engineMessage, isUnreachable, statusOf } from "./engine-errors.ts";
import { endpointOf, makeHandle } from "./handle.ts";
import { removeSecretFolder, resolveMount, writeSecretFile } from "./host-files.ts";
import { ensureImage } from "./image.ts";
import { followLogs } from "./logs.ts";
import { removeContainer, statusFromInspect } from "./containers.ts";
import { abortedError, exitedError, startFailure } from "./start-errors.ts";
import { waitUntilReady } from "./readiness.ts";

/** Starts tried when the engine's own choice of host port was taken before it could bind it. */
const PORT_RACE_ATTEMPTS = 3;

/** A start refused because the host port the engine assigned (not one the config chose) is in use. */
function isHostPortRace(error: unknown, config: DockerConfig): boolean {
  return config.network === undefined && statusOf(error) === 500 && /address already in use/i.test(engineMessage(error));
}

const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** What a start has created so far (to remove on failure). */
interface Created {
  id?: string;
  /** The create request was sent but its outcome is unknown (engine unreachable mid-request). */
  maybeCreated: boolean;
  secretFolder: boolean;
  /** A request in flight; cleanup waits for it before removing. */
  inflight?: Promise<unknown>;
}

/** Resolves with `promise`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

/** The Docker compute backend (one per configured engine). */
export class DockerComputeBackend implements ComputeBackend {
  readonly #config: DockerConfig;
  readonly #ctx: ProviderContext;
  readonly #address: EngineAddress;
  readonly #docker: Docker;
  readonly #engine: string;
  #negotiated: Promise<Docker> | undefined;
  readonly #stopping = new Map<string, Promise<void>>();

  constructor(config: DockerConfig, ctx: ProviderContext, env: Readonly<Record<string, string | undefined>> = process.env) {
    this.#config = config;
    this.#ctx = ctx;
    this.#address = resolveEngineAddress(config, env);
    this.#docker = createClient(this.#address, config);
    this.#engine = describeAddress(this.#address);
  }

  /** The resolved engine address (for `calipso check` and logs). */
  get engine(): string {
    return this.#engine;
  }

  /** The client, once the API version is negotiated (pinned by `apiVersion`, else the engine's, capped). */
  client(): Promise<Docker> {
    this.#negotiated ??= this.#negotiate().catch((error: unknown) => {
      this.#negotiated = undefined;
      throw error;
    });
    return this.#negotiated;
  }

  async #negotiate(): Promise<Docker> {
    const modem = this.#docker.modem as { version?: string };
    if (this.#config.apiVersion !== undefined) {
      modem.version = `v${this.#config.apiVersion}`;
      return this.#docker;
    }
    let engineVersion: string | undefined;
    try {
      engineVersion = await pingApiVersion(this.#address, this.#config);
    } catch (error) {
      throw engineError(error, "Connecting to the container engine", this.#engine);
    }
    if (engineVersion !== undefined && compareApiVersions(engineVersion, MIN_API_VERSION) < 0) {
      throw new AppError("PROVIDER_UNAVAILABLE", {
        detail: `The engine at ${this.#engine} speaks Docker API ${engineVersion}; at least ${MIN_API_VERSION} is needed`,
        provider: PROVIDER,
      });
    }
    modem.version = `v${negotiateApiVersion(engineVersion)}`;
    this.#ctx.logger.debug("docker API negotiated", { engine: this.#engine, version: modem.version });
    return this.#docker;
  }

  async start(spec: WorkloadSpec, options: ComputeStartOptions): Promise<ComputeStarted> {
    const { signal } = options;
    if (signal.aborted) throw abortedError(spec, signal.reason, "before anything was created");
    checkSpec(spec);
    const docker = await this.client();
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException(`deadline of ${spec.timeoutSec} s reached`, "TimeoutError")),
      spec.timeoutSec * 1000,
    );
    const combined = AbortSignal.any([signal, deadline.signal]);
    const created: Created = { maybeCreated: false, secretFolder: false };
    let finished = false;
    let step = "Starting";
    const progress = (event: ComputeProgress) => {
      if (finished) return;
      try {
        options.onProgress?.(event);
      } catch (error) {
        this.#ctx.logger.warn("onProgress threw", { error: String(error) });
      }
    };
    try {
      step = "Preparing mounts";
      const mounts: ResolvedMount[] = [];
      for (const mount of spec.mounts) mounts.push(await resolveMount(mount, spec, this.#config));
      const env: Record<string, string> = {};
      if ("env" in spec.secret) env[spec.secret.env] = spec.secret.value;
      else {
        created.secretFolder = true;
        mounts.push(await writeSecretFile(this.#config, spec, spec.secret.value, spec.secret.file));
      }
      combined.throwIfAborted();
      step = "Creating the container";
      progress({ step: "create", message: `Creating container ${spec.name} from ${spec.image}` });
      combined.throwIfAborted();
      const body = buildCreateOptions(spec, this.#config, mounts, env);
      const create = () => {
        // dockerode would copy the whole body (with Env, hence the secret) into the query string:
        // only the name goes into the URL, the rest into the JSON body.
        const request = { _query: { name: spec.name }, _body: body } as unknown as Docker.ContainerCreateOptions;
        const creating = docker.createContainer(request).then(
          (c) => void (created.id = c.id),
          (error: unknown) => {
            if (isUnreachable(error)) created.maybeCreated = true;
            throw error;
          },
        );
        created.inflight = creating.catch(() => undefined);
        return raceAbort(creating, combined);
      };
      try {
        await create();
      } catch (error) {
        // A missing image is the one create failure worth a retry: pull it (policy permitting).
        if (statusOf(error) !== 404 || !/image/i.test(engineMessage(error))) throw error;
        step = "Checking the image";
        await ensureImage(docker, spec.image, this.#config.pull, combined, progress);
        step = "Creating the container";
        await create();
      }
      let container = docker.getContainer(created.id!);
      step = "Starting the container";
      progress({ step: "start", message: `Starting container ${spec.name}` });
      for (let attempt = 1; ; attempt++) {
        combined.throwIfAborted();
        const starting = container.start();
        created.inflight = starting.catch(() => undefined);
        try {
          await raceAbort(starting, combined);
          break;
        } catch (error) {
          // The engine picked a free host port and another process bound it before the container did
          // (podman chooses at create, binds at start): a new container gets a new port.
          if (attempt >= PORT_RACE_ATTEMPTS || !isHostPortRace(error, this.#config)) throw error;
          this.#ctx.logger.warn("host port taken before the container bound it; creating the container again", { name: spec.name, attempt });
          await removeContainer(container);
          delete created.id;
          await create();
          container = docker.getContainer(created.id!);
        }
      }
      step = "Waiting for readiness";
      const info = await raceAbort(container.inspect(), combined);
      if (!info.State.Running) throw await exitedError(container, info, spec, this.#config.logTailLines);
      const endpoint = endpointOf(info, this.#config);
      if (endpoint === undefined) {
        throw new AppError("PROVIDER_ERROR", { detail: `Container ${spec.name} started but the engine reports no reachable address`, provider: PROVIDER });
      }
      const probeHost = endpoint.host;
      await waitUntilReady({
        readiness: spec.readiness,
        host: probeHost,
        port: endpoint.port,
        signal: combined,
        alive: () => this.#alive(container, spec),
        logs: (s) => followLogs(docker, container, s),
        fetch: this.#ctx.fetch,
        intervalMs: this.#config.readinessIntervalMs,
        settleMs: this.#config.tcpSettleMs,
      });
      progress({ step: "ready", message: `Container ${spec.name} is ready on ${endpoint.host}:${endpoint.port}` });
      finished = true;
      const handle = makeHandle(PROVIDER, created.id!, {
        name: spec.name,
        ...(this.#config.network !== undefined ? { network: this.#config.network } : { hostPort: endpoint.port }),
      });
      return { handle, endpoint };
    } catch (error) {
      finished = true;
      const failure = startFailure(error, spec, step, this.#engine, signal, deadline.signal);
      const leftover = await this.#cleanup(docker, spec, created);
      if (leftover === undefined) throw failure;
      throw new AppError(failure.code, {
        detail: `${failure.detail ?? failure.message}; ${leftover}`,
        provider: PROVIDER,
        cause: failure.cause ?? failure,
        ...(failure.meta ? { meta: failure.meta } : {}),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Throws when the container stopped running before it was ready. */
  async #alive(container: Docker.Container, spec: WorkloadSpec): Promise<void> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new AppError("PROVIDER_ERROR", { detail: `Container ${spec.name} was removed while it was starting`, provider: PROVIDER });
      }
      throw engineError(error, `Watching ${spec.name}`, this.#engine);
    }
    if (!info.State.Running && info.State.Status !== "created") throw await exitedError(container, info, spec, this.#config.logTailLines);
  }

  /**
   * Removes what a failed start created; retries failures (engine unreachable, removal racing a
   * start) for up to `cleanupRetrySec`. Returns a note when something may be left behind.
   */
  async #cleanup(docker: Docker, spec: WorkloadSpec, created: Created): Promise<string | undefined> {
    await created.inflight;
    let note: string | undefined;
    if (created.id !== undefined || created.maybeCreated) {
      const until = Date.now() + this.#config.cleanupRetrySec * 1000;
      for (;;) {
        try {
          const ids = created.id !== undefined ? [created.id] : await this.#idsByName(docker, spec.name);
          for (const id of ids) await removeContainer(docker.getContainer(id));
          note = undefined;
          break;
        } catch (error) {
          note =
            `container ${spec.name} could not be removed (${engineMessage(error)}); ` +
            `it carries the label ${MANAGED_LABEL}=true, so the reconciler (list + stop) will remove it`;
          // Unreachable engine, or a removal racing the engine's own start: retry until the window closes.
          if (Date.now() >= until) break;
          await new Promise((r) => setTimeout(r, isUnreachable(error) ? 200 : 500));
        }
      }
    }
    if (created.secretFolder) await removeSecretFolder(this.#config, spec.name).catch(() => undefined);
    if (note !== undefined) this.#ctx.logger.warn("start clean-up incomplete", { name: spec.name });
    return note;
  }

  /** Ids of our containers with exactly this name (after a create whose answer was lost). */
  async #idsByName(docker: Docker, name: string): Promise<string[]> {
    const rows = await docker.listContainers({ all: true, filters: { name: [name], label: [`${MANAGED_LABEL}=true`] } });
    return rows.filter((r) => r.Names.some((n) => n.replace(/^\//, "") === name)).map((r) => r.Id);
  }

  async status(handle: ComputeHandle): Promise<ComputeStatus> {
    if (!CONTAINER_ID.test(handle.id)) return { state: "stopped" };
    const docker = await this.client();
    let info: Docker.ContainerInspectInfo;
    try {
      info = await docker.getContainer(handle.id).inspect();
    } catch (error) {
      if (statusOf(error) === 404) return { state: "stopped" };
      throw engineError(error, `Reading the status of ${handle.id}`, this.#engine);
    }
    if (info.Config.Labels?.[MANAGED_LABEL] !== "true") return { state: "stopped" };
    return statusFromInspect(info, this.#config);
  }

  stop(handle: ComputeHandle): Promise<void> {
    if (!CONTAINER_ID.test(handle.id)) return Promise.resolve();
    const running = this.#stopping.get(handle.id);
    if (running) return running;
    const stopping = this.#stop(handle).finally(() => this.#stopping.delete(handle.id));
    this.#stopping.set(handle.id, stopping);
    return stopping;
  }

  async #stop(handle: ComputeHandle): Promise<void> {
    const docker = await this.client();
    const container = docker.getContainer(handle.id);
    const stateName = typeof handle.state["name"] === "string" ? handle.state["name"] : undefined;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (error) {
      if (statusOf(error) !== 404) throw engineError(error, `Stopping ${handle.id}`, this.#engine);
      if (stateName !== undefined) await removeSecretFolder(this.#config, stateName);
      return;
    }
    if (info.Config.Labels?.[MANAGED_LABEL] !== "true") return;
    if (info.State.Running) {
      try {
        await container.stop({ t: this.#config.stopGraceSec });
      } catch (error) {
        const status = statusOf(error);
        if (status !== 304 && status !== 404 && status !== 409) throw engineError(error, `Stopping ${handle.id}`, this.#engine);
      }
    }
    try {
      await removeContainer(container);
    } catch (error) {
      throw engineError(error, `Removing ${handle.id}`, this.#engine);
    }
    await removeSecretFolder(this.#config, info.Name.replace(/^\//, ""));
  }

  async list(selector: Readonly<Record<string, string>>): Promise<readonly ListedWorkload[]> {
    const docker = await this.client();
    const label = [`${MANAGED_LABEL}=true`, ...Object.entries(selector).map(([k, v]) => `${k}=${v}`)];
    let rows: Docker.ContainerInfo[];
    try {
      rows = await docker.listContainers({ all: true, filters: { label } });
    } catch (error) {
      throw engineError(error, "Listing workloads", this.#engine);
    }
    return rows
      .filter((r) => r.Labels?.[MANAGED_LABEL] === "true" && Object.entries(selector).every(([k, v]) => r.Labels?.[k] === v))
      .map((r) => {
        const name = (r.Names[0] ?? r.Id).replace(/^\//, "");
        const hostPort = r.Ports?.find((p) => p.PublicPort)?.PublicPort;
        const state = this.#config.network !== undefined ? { name, network: this.#config.network } : { name, ...(hostPort ? { hostPort } : {}) };
        return { handle: makeHandle(PROVIDER, r.Id, state), labels: { ...r.Labels } };
      });
  }

  async dispose(): Promise<void> {
    // Workloads outlive the instance; only pending stops are awaited.
    await Promise.allSettled([...this.#stopping.values()]);
  }
}
