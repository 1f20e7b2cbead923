/** @module The caller's experiments (search, sort, paging, favourites) and favourite flags. */
import { createRoute, z } from "@hono/zod-openapi";
import type { RouteDeps } from "../deps.ts";
import { requireUser } from "../middleware/authenticate.ts";
import { IdParamSchema, PageQuerySchema, errorResponses, json, pageOf, queryBoolean } from "../schemas/common.ts";
import { ExperimentView } from "../schemas/views.ts";
import { experimentView, pageView } from "../views.ts";

const ExperimentPage = pageOf(ExperimentView, "ExperimentPage");

const list = createRoute({
  method: "get",
  path: "/api/v1/experiments",
  tags: ["experiments"],
  summary: "The caller's experiments",
  request: {
    query: PageQuerySchema.extend({
      search: z.string().max(200).optional().openapi({ description: "Case-insensitive substring of proposal id, title or beamline" }),
      sort: z.enum(["proposalId", "title", "beamline", "startsAt"]).optional(),
      order: z.enum(["asc", "desc"]).optional(),
      favourite: queryBoolean.optional().openapi({ type: "string", enum: ["true", "false", "1", "0"], description: "Only favourites" }),
    }),
  },
  responses: { 200: json(ExperimentPage, "One page of experiments"), ...errorResponses(401, 403, 422, 503) },
});

const favouriteRoute = (method: "put" | "delete") =>
  createRoute({
    method,
    path: "/api/v1/experiments/{id}/favourite",
    tags: ["experiments"],
    summary: method === "put" ? "Mark an experiment as a favourite" : "Remove an experiment from the favourites",
    request: { params: IdParamSchema },
    responses: { 204: { description: "Done" }, ...errorResponses(401, 403, 404) },
  });

export function experimentRoutes(d: RouteDeps): void {
  d.app.openapi(list, async (c) => {
    const user = requireUser(c);
    const q = c.req.valid("query");
    const page = await d.calipso.listExperiments(user, {
      ...(q.page !== undefined ? { page: q.page } : {}),
      ...(q.pageSize !== undefined ? { pageSize: q.pageSize } : {}),
      ...(q.search ? { search: q.search } : {}),
      ...(q.sort ? { sort: q.sort } : {}),
      ...(q.order ? { order: q.order } : {}),
      ...(q.favourite !== undefined ? { favouritesOnly: q.favourite } : {}),
    });
    return c.json(pageView(page, experimentView), 200);
  });
  for (const method of ["put", "delete"] as const) {
    d.app.openapi(favouriteRoute(method), async (c) => {
      const user = requireUser(c);
      await d.calipso.setFavourite(user, c.req.valid("param").id, method === "put");
      return c.body(null, 204);
    });
  }
}
