import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSecretKey } from "@calipso/core";
import { describe, expect, it } from "vitest";
import { loadConfigObject } from "./config/load.ts";
import { createLogger } from "./logger.ts";
import { startServer } from "./serve.ts";

describe("[server/tunnel] the Guacamole tunnel on the Node listener", () => {
  it("mounts a tunnel-mode desktop's page assets next to the API, and stops with the server", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-tunnel-"));
    const raw = {
      secretKey: generateSecretKey(),
      server: { port: 0, secureCookies: false },
      store: { provider: "memory" },
      auth: { provider: "static" },
      experiments: { provider: "static" },
      compute: { default: { provider: "fake" } },
      desktop: { provider: "guacamole", config: { mode: "tunnel", publicUrl: "http://127.0.0.1:1", guacd: { port: 1 } } },
      mounts: { dataRoot: "/srv/data", outputRoot: join(dir, "out") },
      background: { reconcileIntervalSec: 0, reapIntervalSec: 0 },
    };
    const running = await startServer(await loadConfigObject(raw, dir), { logger: createLogger("silent").logger });
    try {
      const css = await fetch(`${running.url}/desktop/_assets/calipso-desktop.css`);
      expect(css.status).toBe(200);
      expect(css.headers.get("content-type")).toMatch(/css/);
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    } finally {
      await running.close();
    }
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });
});
