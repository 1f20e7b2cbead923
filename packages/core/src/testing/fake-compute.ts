/**
 * @module A fake ComputeBackend over an in-memory "engine". Workloads carry labels; behaviour
 * knobs make starts fail, hang (honouring or ignoring the abort), exit early or take time.
 * Handles are JSON: a new backend instance on the same named engine can status/stop/list them,
 * as a real backend must after a restart. A fake: nothing runs.
 */
import { z } from "zod";
import { AppError } from "../errors.ts";
import { defineProvider, instantiate } from "../provider.ts";
import type { ComputeHandle, Endpoint } from "../domain/instance.ts";
import type { ComputeBackend, ComputeStatus, WorkloadSpec } from "../ports/compute.ts";
import { testContext } from "./context.ts";

/** A workload inside a fake engine. */
export interface FakeWorkload {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: WorkloadSpec;
  state: "pending" | "running" | "stopped" | "failed";
  endpoint?: Endpoint;
  exitCode?: number;
  reason?: string;
}

/** The shared backing state of fake compute backends. */
export interface FakeComputeEngine {
  readonly name: string;
  /** Every workload that exists (removed ones are deleted). */
  readonly workloads: Map<string, FakeWorkload>;
  /** Workloads that are pending or running. */
  active(): FakeWorkload[];
  /** Creates a workload directly (e.g. an orphan left by a crashed process). */
  create(labels: Record<string, string>, spec?: Partial<WorkloadSpec>): FakeWorkload;
  /** Marks a workload failed, as a crash would. */
  crash(id: string, reason?: string): void;
  /** Marks a workload stopped with an exit code. */
  exit(id: string, exitCode?: number): void;
  /** Removes a workload behind Calipso's back. */
  remove(id: string): void;
  /** Counters for tests. */
  readonly counters: { starts: number; stops: number };
}

const engines = new Map<string, FakeComputeEngine>();
let nextId = 0;

/** A new engine; with a name it is registered so that backends configured with `engine: name` share it. */
export function createFakeComputeEngine(name = `engine-${++nextId}`): FakeComputeEngine {
  const workloads = new Map<string, FakeWorkload>();
  const engine: FakeComputeEngine = {
    name,
    workloads,
    counters: { starts: 0, stops: 0 },
    active: () => [...workloads.values()].filter((w) => w.state === "pending" || w.state === "running"),
    create(labels, spec = {}) {
      const id = `w${++nextId}`;
      const w: FakeWorkload = { id, name: spec.name ?? id, labels: { ...labels }, spec: spec as WorkloadSpec, state: "running" };
      w.endpoint = { host: `${id}.fake.invalid`, port: spec.port?.container ?? 5901, protocol: spec.port?.protocol ?? "vnc" };
      workloads.set(id, w);
      return w;
    },
    crash(id, reason = "crashed") {
      const w = workloads.get(id);
      if (w) Object.assign(w, { state: "failed", reason });
    },
    exit(id, exitCode = 0) {
      const w = workloads.get(id);
      if (w) Object.assign(w, { state: "stopped", exitCode });
    },
    remove(id) {
      workloads.delete(id);
    },
  };
  engines.set(name, engine);
  return engine;
}

/** The engine registered under `name`, created on first use. */
export function getFakeComputeEngine(name: string): FakeComputeEngine {
  return engines.get(name) ?? createFakeComputeEngine(name);
}

const BehaviourSchema = z.strictObject({
  mode: z
    .enum(["ready", "fail", "hang", "exit"])
    .default("ready")
    .describe("ready: start succeeds; fail: start rejects; hang: start never finishes on its own; exit: the workload exits before it is ready"),
  delayMs: z.number().int().min(0).max(600_000).default(0).describe("Time a start takes before its outcome"),
  ignoreAbort: z.boolean().default(false).describe("Ignore the abort signal (a badly behaved backend)"),
  message: z.string().max(512).default("simulated failure").describe("Reason used by fail and exit"),
});

/** Config of the fake compute backend. */
export const FakeComputeConfigSchema = z.strictObject({
  engine: z.string().min(1).max(128).default("default").describe("Name of the shared fake engine"),
  name: z.string().min(1).max(64).default("fake").describe("Backend name put into handles"),
  behaviour: BehaviourSchema.default({ mode: "ready", delayMs: 0, ignoreAbort: false, message: "simulated failure" }).describe("Default behaviour of starts"),
  images: z.record(z.string(), BehaviourSchema).default({}).describe("Behaviour per image, overriding the default"),
});
export type FakeComputeConfig = z.input<typeof FakeComputeConfigSchema>;

/** The fake backend plus its engine. */
export interface FakeComputeBackend extends ComputeBackend {
  readonly engine: FakeComputeEngine;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function aborted(signal: AbortSignal): AppError {
  return new AppError("PROVIDER_TIMEOUT", { detail: "The start was aborted", provider: "fake-compute", cause: signal.reason });
}

function build(config: z.output<typeof FakeComputeConfigSchema>): FakeComputeBackend {
  const engine = getFakeComputeEngine(config.engine);
  const handleOf = (w: FakeWorkload): ComputeHandle => ({ backend: config.name, id: w.id, state: { engine: engine.name, name: w.name } });
  const idOf = (handle: ComputeHandle): string => {
    if (typeof handle?.id !== "string" || !handle.id) throw new AppError("VALIDATION_FAILED", { detail: "Malformed compute handle", provider: "fake-compute" });
    return handle.id;
  };
  return {
    engine,
    async start(spec, { signal, onProgress }) {
      const b = config.images[spec.image] ?? config.behaviour;
      const watch = b.ignoreAbort ? undefined : signal;
      if (watch?.aborted) throw aborted(watch);
      engine.counters.starts++;
      const w = engine.create(spec.labels, spec);
      w.state = "pending";
      onProgress?.({ step: "create", message: `Created ${spec.name}`, percent: 10 });
      try {
        if (b.mode === "hang") {
          await new Promise<never>((_, reject) => watch?.addEventListener("abort", () => reject(watch.reason), { once: true }));
        }
        await sleep(b.delayMs, watch);
        if (b.mode === "fail") throw new AppError("PROVIDER_ERROR", { detail: b.message, provider: "fake-compute" });
        if (b.mode === "exit") throw new AppError("PROVIDER_ERROR", { detail: `The workload exited before it was ready: ${b.message}`, provider: "fake-compute" });
      } catch (error) {
        engine.remove(w.id);
        throw watch?.aborted ? aborted(watch) : error;
      }
      w.state = "running";
      onProgress?.({ step: "ready", message: "Ready", percent: 100 });
      return { handle: handleOf(w), endpoint: w.endpoint! };
    },
    async status(handle): Promise<ComputeStatus> {
      const w = engine.workloads.get(idOf(handle));
      if (!w) return { state: "stopped" };
      if (w.state === "running") return { state: "running", endpoint: w.endpoint! };
      if (w.state === "failed") return { state: "failed", reason: w.reason ?? "failed" };
      if (w.state === "stopped") return w.exitCode === undefined ? { state: "stopped" } : { state: "stopped", exitCode: w.exitCode };
      return { state: "pending" };
    },
    async stop(handle) {
      const id = idOf(handle);
      if (engine.workloads.has(id)) engine.counters.stops++;
      engine.remove(id);
    },
    async list(selector) {
      return [...engine.workloads.values()]
        .filter((w) => Object.entries(selector).every(([k, v]) => w.labels[k] === v))
        .map((w) => ({ handle: handleOf(w), labels: { ...w.labels } }));
    },
  };
}

/** The fake compute backend's definition. */
export const fakeCompute = defineProvider("compute", {
  name: "fake-compute",
  description: "Fake compute backend for tests: in-memory workloads with behaviour knobs",
  configSchema: FakeComputeConfigSchema,
  capabilities: { progress: true, resourceLimits: ["cpu", "memory", "storage"], readiness: ["tcp", "log", "http"] },
  create: (config) => build(config),
});

/**
 * A fake compute backend from raw options; its engine is `backend.engine` (a fresh one unless `engine` names one).
 *
 * @example
 * const compute = await createFakeCompute({ engine: "t1", images: { "bad:1": { mode: "fail" } } });
 */
export async function createFakeCompute(options: FakeComputeConfig = {}): Promise<FakeComputeBackend> {
  const withEngine = options.engine === undefined ? { ...options, engine: createFakeComputeEngine().name } : options;
  return (await instantiate(fakeCompute, withEngine, testContext())) as FakeComputeBackend;
}
