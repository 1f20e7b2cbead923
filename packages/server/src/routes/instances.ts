/** @module The caller's instances: list, launch, inspect, terminate, open. */
import { createRoute, z } from "@hono/zod-openapi";
import { isTerminal } from "@calipso/core";
import type { RouteDeps } from "../deps.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { IdParamSchema, PageQuerySchema, body, errorResponses, json, pageOf } from "../schemas/common.ts";
import { AccessView, InstanceStateView, InstanceView } from "../schemas/views.ts";
import { instanceView, pageView } from "../views.ts";

export const InstancePage = pageOf(InstanceView, "InstancePage");

/** `state=running,failed` → states. */
export const StatesQuery = z
  .string()
  .max(200)
  .transform((s, ctx) => {
    const states = s.split(",").filter(Boolean);
    for (const st of states) {
      if (!InstanceStateView.safeParse(st).success) {
        ctx.addIssue({ code: "custom", message: `Unknown state ${JSON.stringify(st)}` });
        return z.NEVER;
      }
    }
    return states as z.infer<typeof InstanceStateView>[];
  })
  .optional()
  .openapi({ type: "string", description: "Comma-separated states, e.g. running,starting" });

const LaunchBody = z
  .object({
    template: z.string().min(1).max(63).openapi({ example: "xfce-desktop" }),
    experimentId: z.string().min(1).max(128).optional(),
    sessionId: z.string().min(1).max(128).optional(),
  })
  .strict()
  .openapi("LaunchRequest");

const list = createRoute({
  method: "get",
  path: "/api/v1/instances",
  tags: ["instances"],
  summary: "The caller's instances",
  request: { query: PageQuerySchema.extend({ state: StatesQuery }) },
  responses: { 200: json(InstancePage, "One page of instances"), ...errorResponses(401, 403, 422) },
});

const launch = createRoute({
  method: "post",
  path: "/api/v1/instances",
  tags: ["instances"],
  summary: "Launch an environment",
  description: "Admits the launch against the quota and returns at once (202); follow the progress with the events stream.",
  request: { body: body(LaunchBody) },
  responses: { 202: json(InstanceView, "Accepted; starting in the background"), ...errorResponses(401, 403, 404, 409, 422, 503) },
});

const get = createRoute({
  method: "get",
  path: "/api/v1/instances/{id}",
  tags: ["instances"],
  summary: "One of the caller's instances",
  request: { params: IdParamSchema },
  responses: { 200: json(InstanceView, "The instance"), ...errorResponses(401, 403, 404) },
});

const terminate = createRoute({
  method: "delete",
  path: "/api/v1/instances/{id}",
  tags: ["instances"],
  summary: "Terminate an instance",
  request: { params: IdParamSchema },
  responses: {
    200: json(InstanceView, "Already ended"),
    202: json(InstanceView, "Terminating in the background"),
    ...errorResponses(401, 403, 404, 409),
  },
});

const access = createRoute({
  method: "post",
  path: "/api/v1/instances/{id}/access",
  tags: ["instances"],
  summary: "A short-lived URL that opens the environment",
  request: {
    params: IdParamSchema,
    body: { required: false, content: { "application/json": { schema: z.object({ readOnly: z.boolean().optional() }).strict().openapi("AccessRequest") } } },
  },
  responses: { 200: json(AccessView, "The way in"), ...errorResponses(401, 403, 404, 409, 422, 503) },
});

export function instanceRoutes(d: RouteDeps): void {
  d.app.openapi(list, async (c) => {
    const user = requireUser(c);
    const q = c.req.valid("query");
    const page = await d.calipso.listInstances(user, {
      ...(q.page !== undefined ? { page: q.page } : {}),
      ...(q.pageSize !== undefined ? { pageSize: q.pageSize } : {}),
      ...(q.state ? { states: q.state } : {}),
    });
    return c.json(pageView(page, instanceView), 200);
  });

  d.app.openapi(launch, async (c) => {
    const user = requireUser(c);
    const b = c.req.valid("json");
    const instance = await d.calipso.launch(user, {
      template: b.template,
      ...(b.experimentId !== undefined ? { experimentId: b.experimentId } : {}),
      ...(b.sessionId !== undefined ? { sessionId: b.sessionId } : {}),
    });
    c.header("location", `${c.req.path}/${encodeURIComponent(instance.id)}`);
    return c.json(instanceView(instance), 202);
  });

  d.app.openapi(get, async (c) => {
    const user = requireUser(c);
    return c.json(instanceView(await d.calipso.getInstance(user, c.req.valid("param").id)), 200);
  });

  d.app.openapi(terminate, async (c) => {
    const user = requireUser(c);
    const instance = await d.calipso.terminate(user, c.req.valid("param").id);
    return isTerminal(instance.state) ? c.json(instanceView(instance), 200) : c.json(instanceView(instance), 202);
  });

  d.app.openapi(access, async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid("param");
    let readOnly: boolean | undefined;
    if (c.req.header("content-type")?.includes("json")) readOnly = (c.req.valid("json") as { readOnly?: boolean } | undefined)?.readOnly;
    const result = await d.calipso.access(user, id, readOnly !== undefined ? { readOnly } : {});
    c.header("cache-control", "no-store");
    return c.json({ url: result.url, expiresAt: result.expiresAt.toISOString() }, 200);
  });
}
