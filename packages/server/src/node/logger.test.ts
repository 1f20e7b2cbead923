import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createTestCalipso } from "@calipso/core/testing";
import { createApp } from "../app.ts";
import { createLogger, runWithRequestId } from "./logger.ts";

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on("data", (d: Buffer) => {
    for (const l of d.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
  });
  return { stream, lines };
}

describe("[server/logs] JSON logs", () => {
  it("every line written while serving a request carries its id, also lines of code that only has the global logger", async () => {
    const out = capture();
    const { logger } = createLogger("debug", out.stream);
    const t = await createTestCalipso({ deps: { logger } });
    // stands for core or a provider logging with the logger it got at start, not a per-request one
    const quota = t.calipso.quota.bind(t.calipso);
    (t.calipso as { quota: typeof quota }).quota = async (actor) => {
      logger.warn("provider says hello");
      return quota(actor);
    };
    const app = createApp(t.calipso, { logger, runWithRequestId });
    const login = await t.calipso.login({ method: "password", username: "alice", password: "alice-pw" });
    const res = await app.request("/api/v1/quota", { headers: { cookie: `calipso_session=${login.token}`, "x-request-id": "req-42" } });
    expect(res.status).toBe(200);
    logger.info("after the request");
    await new Promise((r) => setTimeout(r, 20));
    expect(out.lines.find((l) => l["msg"] === "provider says hello")).toMatchObject({ reqId: "req-42" });
    expect(out.lines.find((l) => l["msg"] === "request")).toMatchObject({ reqId: "req-42", status: 200, route: "/api/v1/quota" });
    expect(out.lines.find((l) => l["msg"] === "after the request")).not.toHaveProperty("reqId");
  });

  it("redacts secrets", async () => {
    const out = capture();
    const { logger } = createLogger("info", out.stream);
    logger.info("x", { password: "hunter2", nested: { token: "abc" }, ok: 1 });
    await new Promise((r) => setTimeout(r, 20));
    expect(JSON.stringify(out.lines)).not.toMatch(/hunter2|"abc"/);
    expect(out.lines[0]).toMatchObject({ ok: 1, password: "[redacted]" });
  });
});
