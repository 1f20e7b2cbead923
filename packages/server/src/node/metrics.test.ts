import { createFakeCompute, createMemoryStore } from "@calipso/core/testing";
import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.ts";

describe("[server/metrics] Prometheus metrics", () => {
  it("counts requests by route and status, rejected launches, and instances by state", async () => {
    const store = createMemoryStore();
    const m = createMetrics(store, { defaultMetrics: false });
    m.observe({ method: "GET", route: "/api/v1/instances", status: 200, durationMs: 3 });
    m.observe({ method: "GET", route: "/api/v1/instances", status: 200, durationMs: 4 });
    m.observe({ method: "POST", route: "/api/v1/instances", status: 409, durationMs: 4 });
    const text = await m.render();
    expect(text).toMatch(/calipso_http_requests_total\{method="GET",route="\/api\/v1\/instances",status="200"\} 2/);
    expect(text).toMatch(/calipso_launches_total\{outcome="rejected"\} 1/);
    expect(text).toMatch(/calipso_instances\{state="running"\} 0/);
    expect(text).toMatch(/calipso_http_request_duration_seconds_bucket/);
  });

  it("times and counts compute starts (ready / failed)", async () => {
    const m = createMetrics(createMemoryStore(), { defaultMetrics: false });
    const ok = m.instrument("default", await createFakeCompute());
    const bad = m.instrument("default", await createFakeCompute({ behaviour: { mode: "fail" } }));
    const spec = { name: "w", image: "i", env: {}, resources: { cpu: 1, memoryMiB: 64 }, labels: {}, mounts: [], port: 5901, readiness: { tcp: true }, secret: "s" } as never;
    await ok.start(spec, { signal: new AbortController().signal });
    await expect(bad.start(spec, { signal: new AbortController().signal })).rejects.toThrow();
    const text = await m.render();
    expect(text).toMatch(/calipso_launches_total\{outcome="ready"\} 1/);
    expect(text).toMatch(/calipso_launches_total\{outcome="failed"\} 1/);
    expect(text).toMatch(/calipso_launch_duration_seconds_count\{backend="default"\} 1/);
  });
});
