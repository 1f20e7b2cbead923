/** @module Server-sent events of one instance: its current state, then live state and progress events. */
import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { RouteDeps } from "../deps.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { IdParamSchema, errorResponses } from "../schemas/common.ts";
import { InstanceStateView } from "../schemas/views.ts";

export const InstanceEventView = z
  .object({
    instanceId: z.string(),
    at: z.string(),
    type: z.enum(["state", "progress"]),
    state: InstanceStateView,
    message: z.string().optional(),
    percent: z.number().optional(),
  })
  .openapi("InstanceEvent");

const events = createRoute({
  method: "get",
  path: "/api/v1/instances/{id}/events",
  tags: ["instances"],
  summary: "Live state and progress (text/event-stream)",
  description: "Each SSE message has event `state` or `progress` and a JSON InstanceEvent as data. The stream ends when the instance reaches a terminal state.",
  request: { params: IdParamSchema },
  responses: {
    200: { description: "An event stream", content: { "text/event-stream": { schema: InstanceEventView } } },
    ...errorResponses(401, 403, 404),
  },
});

export function eventRoutes(d: RouteDeps, shutdown: AbortSignal): void {
  d.app.openapi(events, async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid("param");
    await d.calipso.getInstance(user, id); // 404 before the stream opens
    c.header("cache-control", "no-store");
    return streamSSE(c, async (stream) => {
      const controller = new AbortController();
      const abort = () => controller.abort();
      stream.onAbort(abort);
      c.req.raw.signal.addEventListener("abort", abort, { once: true });
      shutdown.addEventListener("abort", abort, { once: true });
      try {
        let seq = 0;
        for await (const e of d.calipso.events(user, id, { signal: controller.signal })) {
          const data = {
            instanceId: e.instanceId,
            at: e.at.toISOString(),
            type: e.type,
            state: e.state,
            ...(e.message !== undefined ? { message: e.message } : {}),
            ...(e.percent !== undefined ? { percent: e.percent } : {}),
          };
          await stream.writeSSE({ event: e.type, data: JSON.stringify(data), id: String(++seq) });
          if (controller.signal.aborted) break;
        }
      } finally {
        shutdown.removeEventListener("abort", abort);
      }
    }) as never;
  });
}
