import { afterEach, describe, expect, it } from "vitest";
import { createTestContext } from "@calipso/sdk/testing";
import { createFacilityHttp, recordingLogger, startRawServer } from "./test-helpers.ts";
import type { RawServer } from "./test-helpers.ts";

const servers: RawServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(handler: Parameters<typeof startRawServer>[0]) {
  const s = await startRawServer(handler);
  servers.push(s);
  return s;
}
const cfg = (s: { url: string }, http: Record<string, unknown> = {}) => ({
  loginUrl: `${s.url}/login/`,
  experimentsUrl: `${s.url}/experiments/$USERNAME/`,
  credentials: { username: "calipso", password: "svc-secret-pw" },
  http: { timeoutMs: 400, retries: 2, retryBackoffMs: 10, ...http },
});
const page = (results: unknown[], next: string | null = null, count = results.length) => JSON.stringify({ count, next, previous: null, results });

describe("facility-http faults (raw node:http server on loopback)", () => {
  it("[fh/fault-01][S9] a hanging user office gives PROVIDER_TIMEOUT after the configured timeout, not later", async () => {
    const s = await server(() => {
      /* never answers */
    });
    const { auth, experiments } = await createFacilityHttp(cfg(s, { timeoutMs: 500 }));
    const started = performance.now();
    await expect(auth.password!("alice", "pw")).rejects.toMatchObject({ code: "PROVIDER_TIMEOUT", provider: "facility-http" });
    const elapsed = performance.now() - started;
    // Generous bound: honoured, and a GET is not retried after a timeout either.
    expect(elapsed).toBeLessThan(1_500);
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_TIMEOUT" });
    expect(s.requests.filter((r) => r.method === "GET")).toHaveLength(1);
  });

  it("[fh/fault-02] a body that stalls half-way also times out", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"count": 1, "results": [');
    });
    const { experiments } = await createFacilityHttp(cfg(s));
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_TIMEOUT" });
  });

  it("[fh/fault-03] HTTP 500: GETs are retried a bounded number of times, then PROVIDER_ERROR; POSTs are never retried", async () => {
    const s = await server((_req, res) => {
      res.writeHead(503, { "content-type": "text/html" });
      res.end("<h1>Service Unavailable</h1>");
    });
    const { auth, experiments } = await createFacilityHttp(cfg(s));
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_ERROR", meta: { status: 503 } });
    expect(s.requests.filter((r) => r.method === "GET")).toHaveLength(3);
    await expect(auth.password!("alice", "pw")).rejects.toMatchObject({ code: "PROVIDER_ERROR" });
    expect(s.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("[fh/fault-04] a plain 500 from the experiments endpoint is a PROVIDER_ERROR with the status", async () => {
    const s = await server((_req, res) => {
      res.writeHead(500);
      res.end("Internal Server Error");
    });
    const { experiments } = await createFacilityHttp(cfg(s, { retries: 0 }));
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_ERROR", meta: { status: 500 } });
  });

  it("[fh/fault-05] invalid JSON gives PROVIDER_ERROR", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{'count': 1, results: [}");
    });
    const { experiments } = await createFacilityHttp(cfg(s));
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_ERROR", detail: expect.stringContaining("invalid JSON") });
  });

  it("[fh/fault-06] valid JSON of the wrong shape gives PROVIDER_ERROR", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('[{"proposal_id": "P1"}]');
    });
    const { experiments } = await createFacilityHttp(cfg(s));
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_ERROR" });
  });

  it("[fh/fault-07] 10 MB without Content-Length is cut off at the size cap (PROVIDER_ERROR), the transfer stops", async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      let sent = 0;
      const pump = () => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    const { experiments } = await createFacilityHttp(cfg(s, { maxResponseBytes: 1024 * 1024, retries: 0, timeoutMs: 5_000 }));
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_ERROR", meta: { maxResponseBytes: 1024 * 1024 } });
    await new Promise((r) => setTimeout(r, 100));
    expect(s.closedEarly.count).toBe(1);
  });

  it("[fh/fault-08] a declared Content-Length above the cap is refused before reading", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(10 * 1024 * 1024) });
      res.write("{");
    });
    const { experiments } = await createFacilityHttp(cfg(s, { maxResponseBytes: 1024 * 1024 }));
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_ERROR" });
  });

  it("[fh/fault-09] a connection closed mid-body gives PROVIDER_UNAVAILABLE after bounded GET retries", async () => {
    const s = await server((_req, res, socket) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"count": 1, "next": null, "results": [');
      setTimeout(() => socket.destroy(), 20);
    });
    const { experiments } = await createFacilityHttp(cfg(s));
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE", detail: expect.stringContaining("closed the connection") });
    expect(s.requests).toHaveLength(3);
  });

  it("[fh/fault-10] an unreachable user office gives PROVIDER_UNAVAILABLE quickly", async () => {
    const s = await server(() => {});
    const url = s.url;
    await s.close();
    servers.pop();
    const { auth } = await createFacilityHttp(cfg({ url }));
    await expect(auth.password!("alice", "pw")).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE", detail: expect.stringContaining("refused") });
  });

  it("[fh/fault-11] a redirect is not followed (credentials never travel elsewhere)", async () => {
    const s = await server((_req, res) => {
      res.writeHead(302, { location: "http://127.0.0.1:9/steal" });
      res.end();
    });
    const { experiments } = await createFacilityHttp(cfg(s));
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_ERROR" });
  });

  it("[fh/fault-12][B10] provider `next` links are never followed: pages are asked on the configured URL", async () => {
    const s = await server((req, res) => {
      const p = Number(new URL(req.url!, "http://x").searchParams.get("page"));
      res.writeHead(200, { "content-type": "application/json" });
      const item = { proposal_id: `P${p}`, subject: "", sessions: [] };
      res.end(JSON.stringify({ count: 2, next: p === 1 ? "http://evil.invalid/experiments/?page=2" : null, previous: null, results: [item] }));
    });
    const logger = recordingLogger();
    const { experiments } = await createFacilityHttp(cfg(s), createTestContext({ logger }));
    const list = await experiments.listForUser("alice");
    expect(list.map((e) => e.proposalId)).toEqual(["P1", "P2"]);
    expect(logger.warnings).toEqual([]);
    expect(s.requests.map((r) => r.url)).toEqual([
      "/experiments/alice/?page=1&page_size=100&ordering=proposal_id",
      "/experiments/alice/?page=2&page_size=100&ordering=proposal_id",
    ]);
    expect(Object.keys(list[0]!)).not.toContain("next");
  });

  it("[fh/fault-13] an endless `next` chain stops at maxPages", async () => {
    const s = await server((req, res) => {
      const p = Number(new URL(req.url!, "http://x").searchParams.get("page"));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(page([{ proposal_id: `P${p}` }], "http://x/?page=next", 1_000_000));
    });
    const logger = recordingLogger();
    const { experiments } = await createFacilityHttp({ ...cfg(s), experiments: { maxPages: 5 } }, createTestContext({ logger }));
    expect(await experiments.listForUser("alice")).toHaveLength(5);
    expect(s.requests).toHaveLength(5);
    expect(logger.warnings.map((w) => w.message)).toContain("experiments listing truncated at the configured bounds");
  });

  it("[fh/fault-14] Basic credentials are sent only as a header, and appear in no error and no log", async () => {
    const s = await server((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const { experiments } = await createFacilityHttp(cfg(s, { retries: 0 }));
    const logger = recordingLogger();
    const { experiments: logged } = await createFacilityHttp(cfg(s, { retries: 0 }), createTestContext({ logger }));
    await logged.listForUser("alice").catch(() => {});
    expect(logger.warnings.length).toBeGreaterThan(0);
    expect(JSON.stringify(logger.warnings)).not.toContain("svc-secret-pw");
    expect(JSON.stringify(logger.warnings)).not.toContain(Buffer.from("calipso:svc-secret-pw").toString("base64"));
    const error = (await experiments.listForUser("alice").then(() => undefined, (e: unknown) => e)) as Error;
    expect(s.requests[0]!.authorization).toBe(`Basic ${Buffer.from("calipso:svc-secret-pw").toString("base64")}`);
    expect(s.requests[0]!.url).not.toContain("svc-secret-pw");
    expect(JSON.stringify({ message: error.message, ...(error as object) })).not.toContain("svc-secret-pw");
  });

  it("[fh/fault-15][S9] a hanging call does not hold other calls: they complete while it waits", async () => {
    const s = await server((req, res) => {
      if (req.url?.startsWith("/login/")) return; // hangs
      res.writeHead(200, { "content-type": "application/json" });
      res.end(page([{ proposal_id: "P1" }]));
    });
    const { auth, experiments } = await createFacilityHttp(cfg(s, { timeoutMs: 1_000 }));
    const order: string[] = [];
    const hanging = auth.password!("alice", "pw").then(
      () => order.push("login-ok"),
      (e: { code?: string }) => order.push(`login-${e.code}`),
    );
    const listed = await Promise.all([1, 2, 3].map(() => experiments.listForUser("alice").then((l) => order.push(`list-${l.length}`))));
    expect(listed).toHaveLength(3);
    await hanging;
    expect(order).toEqual(["list-1", "list-1", "list-1", "login-PROVIDER_TIMEOUT"]);
  });
});
