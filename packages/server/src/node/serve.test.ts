import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSecretKey } from "@calipso/core";
import { describe, expect, it } from "vitest";
import { loadConfigObject } from "./config/load.ts";
import { createLogger } from "./logger.ts";
import { startServer } from "./serve.ts";

async function start() {
  const dir = mkdtempSync(join(tmpdir(), "calipso-serve-"));
  const raw = {
    secretKey: generateSecretKey(),
    server: { port: 0, secureCookies: false, shutdownGraceSec: 5 },
    store: { provider: "memory" },
    auth: { provider: "fake", config: { users: [{ username: "ann", password: "ann-pw", mayUseOwnResources: true }] } },
    experiments: { provider: "fake" },
    compute: { default: { provider: "fake", config: { behaviour: { mode: "ready", delayMs: 200 } } } },
    mounts: { dataRoot: "/srv/data", outputRoot: join(dir, "out") },
    templates: [{ name: "desk", title: "Desk", kind: "desktop", image: "d:1", resources: { cpu: 1, memoryMiB: 64 } }],
    background: { reconcileIntervalSec: 1, reapIntervalSec: 1 },
  };
  return startServer(await loadConfigObject(raw, dir), { logger: createLogger("silent").logger });
}

describe("[server/serve] the Node listener", () => {
  it("graceful shutdown: open event streams end, in-flight work settles, the port closes", async () => {
    const running = await start();
    const login = await fetch(`${running.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "ann", password: "ann-pw" }) });
    const body = (await login.json()) as { csrfToken: string };
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    const launched = await fetch(`${running.url}/api/v1/instances`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": body.csrfToken, "content-type": "application/json" },
      body: JSON.stringify({ template: "desk" }),
    });
    expect(launched.status).toBe(202);
    const { id } = (await launched.json()) as { id: string };
    const events = await fetch(`${running.url}/api/v1/instances/${id}/events`, { headers: { cookie } });
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    await reader.read(); // the current state
    const closed = running.close();
    // the stream ends (shutdown aborts it) instead of holding the server open
    for (;;) if ((await reader.read()).done) break;
    await closed;
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  }, 30_000);

  it("serves metrics and readiness", async () => {
    const running = await start();
    try {
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
      await fetch(`${running.url}/healthz`);
      const text = await (await fetch(`${running.url}/metrics`)).text();
      expect(text).toMatch(/calipso_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
      expect(text).toMatch(/calipso_instances\{state="pending"\} 0/);
      expect(text).toMatch(/calipso_process_/);
    } finally {
      await running.close();
    }
  });
});
