/**
 * @module A FAKE of the remote workload API, as a small Hono app, for tests only: the backend
 * reaches it through `ctx.fetch = (input, init) => api.request(input, init)`, no port needed.
 * Images starting with `missing/` do not exist; `crash/` workloads fail instead of running.
 */
import { Hono } from "hono";
import { z } from "zod";

interface FakeWorkload {
  id: string;
  name: string;
  state: "pending" | "running" | "exited" | "failed";
  host?: string;
  port: number;
  protocol: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  polls: number;
  reason?: string;
}

const CreateSchema = z.object({
  name: z.string().min(1),
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()),
  cpu: z.number().positive(),
  memoryMiB: z.number().int().positive(),
  uid: z.number().int().min(0),
  gid: z.number().int().min(0),
  port: z.number().int(),
  protocol: z.string(),
  labels: z.record(z.string(), z.string()),
});

/** The fake API and what tests may look at. */
export interface FakeWorkloadApi {
  /** Answers a request like the real API would (pass it as `ctx.fetch`). */
  request(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** Every workload that exists. */
  readonly workloads: Map<string, FakeWorkload>;
  /** How many workloads carry every label of `selector`. */
  count(selector: Readonly<Record<string, string>>): number;
  /** Authorization headers received, for checks. */
  readonly authorizations: string[];
  /** Makes every request fail with this status (e.g. 503), or `undefined` to answer normally. */
  failWith: number | undefined;
}

/** Creates a fake API that accepts `token`; workloads run after `pollsUntilRunning` status reads. */
export function createFakeWorkloadApi(options: { token: string; pollsUntilRunning?: number }): FakeWorkloadApi {
  const workloads = new Map<string, FakeWorkload>();
  const authorizations: string[] = [];
  const matches = (w: FakeWorkload, selector: Readonly<Record<string, string>>) => Object.entries(selector).every(([k, v]) => w.labels[k] === v);
  const view = (w: FakeWorkload) => ({ id: w.id, state: w.state, host: w.host, port: w.port, protocol: w.protocol, labels: w.labels, reason: w.reason });
  let next = 0;

  const app = new Hono();
  app.use(async (c, nextHandler) => {
    authorizations.push(c.req.header("authorization") ?? "");
    if (api.failWith !== undefined) return c.json({ title: "failure injected by the test" }, api.failWith as 503);
    if (c.req.header("authorization") !== `Bearer ${options.token}`) return c.json({ title: "bad token" }, 401);
    await nextHandler();
  });
  app.post("/v1/workloads", async (c) => {
    const body = CreateSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ title: "invalid body", issues: body.error.issues }, 422);
    if (body.data.image.startsWith("missing/")) return c.json({ title: "no such image" }, 404);
    const id = `wl-${++next}`;
    const w: FakeWorkload = { id, name: body.data.name, state: "pending", port: body.data.port, protocol: body.data.protocol, labels: body.data.labels, env: body.data.env, polls: options.pollsUntilRunning ?? 1 };
    if (body.data.image.startsWith("crash/")) Object.assign(w, { polls: 0, state: "failed", reason: "the process exited with 1" });
    workloads.set(id, w);
    return c.json(view(w), 201);
  });
  app.get("/v1/workloads", (c) => {
    const selector = Object.fromEntries(c.req.queries("label")?.map((l) => l.split("=", 2) as [string, string]) ?? []);
    return c.json({ items: [...workloads.values()].filter((w) => matches(w, selector)).map(view) });
  });
  app.get("/v1/workloads/:id", (c) => {
    const w = workloads.get(c.req.param("id"));
    if (!w) return c.json({ title: "not found" }, 404);
    if (w.state === "pending" && --w.polls <= 0) Object.assign(w, { state: "running", host: `${w.id}.batch.test` });
    return c.json(view(w));
  });
  app.delete("/v1/workloads/:id", (c) => {
    if (!workloads.delete(c.req.param("id"))) return c.json({ title: "not found" }, 404);
    return c.body(null, 204);
  });

  const api: FakeWorkloadApi = {
    request: async (input, init) => app.request(input instanceof URL ? input.href : input, init),
    workloads,
    count: (selector) => [...workloads.values()].filter((w) => matches(w, selector)).length,
    authorizations,
    failWith: undefined,
  };
  return api;
}
