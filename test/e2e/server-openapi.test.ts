/** The OpenAPI 3.1 document: valid against the OpenAPI 3.1 schema, and every route of the API is in it. */
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createHarness } from "./server-harness.ts";

/** Every route of architecture §5 (method, OpenAPI path). */
const EXPECTED: [string, string][] = [
  ["post", "/api/v1/auth/login"],
  ["post", "/api/v1/auth/logout"],
  ["get", "/api/v1/auth/me"],
  ["get", "/api/v1/auth/oidc/start"],
  ["get", "/api/v1/auth/oidc/callback"],
  ["post", "/api/v1/auth/federated"],
  ["get", "/api/v1/experiments"],
  ["put", "/api/v1/experiments/{id}/favourite"],
  ["delete", "/api/v1/experiments/{id}/favourite"],
  ["get", "/api/v1/templates"],
  ["get", "/api/v1/instances"],
  ["post", "/api/v1/instances"],
  ["get", "/api/v1/instances/{id}"],
  ["delete", "/api/v1/instances/{id}"],
  ["get", "/api/v1/instances/{id}/events"],
  ["post", "/api/v1/instances/{id}/access"],
  ["get", "/api/v1/quota"],
  ["get", "/api/v1/admin/users"],
  ["put", "/api/v1/admin/users/{id}/roles"],
  ["get", "/api/v1/admin/users/{id}/quota"],
  ["put", "/api/v1/admin/users/{id}/quota"],
  ["delete", "/api/v1/admin/users/{id}/quota"],
  ["put", "/api/v1/admin/templates/{name}"],
  ["delete", "/api/v1/admin/templates/{name}"],
  ["get", "/api/v1/admin/instances"],
  ["get", "/api/v1/admin/audit"],
  ["get", "/api/v1/tokens"],
  ["post", "/api/v1/tokens"],
  ["delete", "/api/v1/tokens/{id}"],
  ["get", "/healthz"],
  ["get", "/readyz"],
];

describe("[server/openapi] the OpenAPI document", () => {
  it("is OpenAPI 3.1 and validates against the OpenAPI 3.1 JSON Schema", async () => {
    const h = await createHarness();
    const res = await h.app.request("/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string };
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("contains every route of the API, and every /api/v1 and probe route the app serves", async () => {
    const h = await createHarness();
    const doc = (await (await h.app.request("/api/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
    for (const [m, p] of EXPECTED) expect(documented, `${m} ${p}`).toContain(`${m} ${p}`);
    const served = h.app.routes
      .filter((r) => r.method !== "ALL" && (r.path.startsWith("/api/v1/") || r.path === "/healthz" || r.path === "/readyz"))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(served.length).toBeGreaterThanOrEqual(EXPECTED.length);
    for (const route of served) expect(documented, route).toContain(route);
  });

  it("declares problem+json error responses and 422 on every route with input", async () => {
    const h = await createHarness();
    const doc = (await (await h.app.request("/api/openapi.json")).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown; parameters?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const errors = Object.entries(op.responses).filter(([code]) => Number(code) >= 400);
        for (const [, r] of errors) expect(Object.keys(r.content ?? {}), `${method} ${path}`).toEqual(["application/problem+json"]);
        if (op.requestBody || (op.parameters ?? []).some((p) => (p as { in: string }).in === "query")) expect(op.responses, `${method} ${path}`).toHaveProperty("422");
      }
    }
  });
});
