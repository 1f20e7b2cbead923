/**
 * @module HTTP client of the remote workload API. Every failure becomes an `AppError` with a
 * catalogue code; the token never appears in an error or a log line.
 */
import { AppError } from "@calipso/core";
import type { ProviderContext } from "@calipso/core";
import { z } from "zod";
import type { ExampleBatchConfig } from "./config.ts";

const PROVIDER = "example-batch";

/** A workload as the remote API describes it. */
export const RemoteWorkloadSchema = z.object({
  id: z.string().min(1),
  state: z.enum(["pending", "running", "exited", "failed"]),
  host: z.string().optional(),
  port: z.number().int().optional(),
  protocol: z.enum(["vnc", "rdp", "ssh", "http"]).default("vnc"),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
});
export type RemoteWorkload = z.infer<typeof RemoteWorkloadSchema>;

/** What the client sends to create a workload. */
export interface CreateWorkload {
  name: string;
  image: string;
  command?: readonly string[];
  env: Record<string, string>;
  cpu: number;
  memoryMiB: number;
  uid: number;
  gid: number;
  port: number;
  protocol: "vnc" | "rdp" | "ssh" | "http";
  labels: Readonly<Record<string, string>>;
}

/** The calls the backend needs. `null` means "the API does not know this workload". */
export interface WorkloadApi {
  create(body: CreateWorkload, signal?: AbortSignal): Promise<RemoteWorkload>;
  get(id: string, signal?: AbortSignal): Promise<RemoteWorkload | null>;
  remove(id: string): Promise<void>;
  list(selector: Readonly<Record<string, string>>): Promise<RemoteWorkload[]>;
}

/** Creates the client over `ctx.fetch` (tests pass a fake API's `request`). */
export function createWorkloadApi(config: ExampleBatchConfig, ctx: ProviderContext): WorkloadApi {
  const base = config.url.endsWith("/") ? config.url : `${config.url}/`;

  async function call(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response | null> {
    const timeout = AbortSignal.timeout(config.requestTimeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await ctx.fetch(new URL(path, base), {
        method,
        headers: { authorization: `Bearer ${config.token}`, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: combined,
      });
    } catch (cause) {
      // The caller's abort wins: rethrow its reason unchanged so that start() can tell an abort.
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new AppError("PROVIDER_TIMEOUT", { detail: `The workload API did not answer within ${config.requestTimeoutMs} ms`, provider: PROVIDER, cause });
      throw new AppError("PROVIDER_UNAVAILABLE", { detail: "The workload API cannot be reached", provider: PROVIDER, cause });
    }
    if (response.status === 404) return null;
    if (response.ok) return response;
    const text = await response.text().catch(() => "");
    const detail = `The workload API answered ${response.status} to ${method} ${path}`;
    ctx.logger.warn("workload API error", { status: response.status, method, path, body: text.slice(0, 500) });
    if (response.status === 401 || response.status === 403) throw new AppError("PROVIDER_ERROR", { detail: "The workload API refused the token", provider: PROVIDER });
    if (response.status === 429 || response.status >= 500) throw new AppError("PROVIDER_UNAVAILABLE", { detail, provider: PROVIDER });
    throw new AppError("PROVIDER_ERROR", { detail, provider: PROVIDER });
  }

  const parse = async (response: Response) => {
    const result = RemoteWorkloadSchema.safeParse(await response.json().catch(() => undefined));
    if (!result.success) throw new AppError("PROVIDER_ERROR", { detail: "The workload API sent an unexpected answer", provider: PROVIDER, cause: result.error });
    return result.data;
  };

  return {
    async create(body, signal) {
      const response = await call("POST", "v1/workloads", body, signal);
      if (!response) throw new AppError("PROVIDER_ERROR", { detail: `The workload API does not know the image ${body.image}`, provider: PROVIDER });
      return parse(response);
    },
    async get(id, signal) {
      const response = await call("GET", `v1/workloads/${encodeURIComponent(id)}`, undefined, signal);
      return response ? parse(response) : null;
    },
    async remove(id) {
      await call("DELETE", `v1/workloads/${encodeURIComponent(id)}`);
    },
    async list(selector) {
      const query = new URLSearchParams(Object.entries(selector).map(([k, v]): [string, string] => ["label", `${k}=${v}`]));
      const response = await call("GET", `v1/workloads?${query}`);
      const items = z.object({ items: z.array(RemoteWorkloadSchema) }).safeParse(await response?.json().catch(() => undefined));
      if (!items.success) throw new AppError("PROVIDER_ERROR", { detail: "The workload API sent an unexpected list", provider: PROVIDER });
      return items.data.items;
    },
  };
}
