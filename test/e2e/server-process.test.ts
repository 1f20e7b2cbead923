/**
 * Starts the REAL process the way `npm start` does (the root package.json's start script), on a
 * free port with a temporary data directory: readiness, `/api/docs`, a demo login, and graceful
 * shutdown on SIGTERM. The start-up time is measured and printed; the only bound asserted is a
 * generous one (the target, 3 s, is recorded in docs/performance.md).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;
let child: ChildProcess;
let dataDir: string;
let url = "";
let readyMs = 0;
let stderr = "";

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "calipso-start-"));
  const script = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts.start as string;
  const [cmd, ...args] = script.split(/\s+/);
  // npm runs the script with the Node.js that runs npm (node_modules/.bin may hold another `node`).
  expect(cmd).toBe('"$npm_node_execpath"');
  const node = process.env["npm_node_execpath"] ?? "node";
  const started = performance.now();
  child = spawn(node, [...args, "--port", "0", "--data-dir", dataDir], {
    cwd: root,
    env: { ...process.env, CALIPSO_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.resume();
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening after 30 s:\n${stderr}`)), 30_000);
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${stderr}`)));
  });
  for (;;) {
    const ok = await fetch(`${url}/api/docs`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  readyMs = performance.now() - started;
  console.log(`[server/start-01] npm start equivalent ready (serving /api/docs) in ${Math.round(readyMs)} ms`);
}, 45_000);

afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

describe("[server/start] the real process (npm start)", () => {
  it("[server/start-01] is ready within a generous bound and prints the URL and the demo logins", () => {
    expect(readyMs).toBeGreaterThan(0);
    expect(readyMs).toBeLessThan(30_000); // generous: CI runs every suite in parallel on 2 cores
    expect(stderr).toMatch(/alice\s+\/ alice-demo/);
    expect(stderr).toMatch(/admin\s+\/ admin-demo/);
  });

  it("[server/start-02] serves /api/docs with local assets, and a demo login works", async () => {
    const docs = await fetch(`${url}/api/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("docs/swagger-ui-bundle.js");
    expect((await fetch(`${url}/api/docs/swagger-ui-bundle.js`)).status).toBe(200);
    const login = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "alice", password: "alice-demo" }) });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    const experiments = (await (await fetch(`${url}/api/v1/experiments`, { headers: { cookie } })).json()) as { items: { proposalId: string }[] };
    expect(experiments.items.map((e: { proposalId: string }) => e.proposalId).sort()).toEqual(["p-2026-0001", "p-2026-0042"]);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/calipso_http_requests_total\{method="POST",route="\/api\/v1\/auth\/login",status="200"\} 1/);
  });

  it("[server/start-03] keeps its secret key private in the data directory", () => {
    const key = statSync(join(dataDir, "secret.key"));
    expect(key.mode & 0o077).toBe(0);
  });

  it("[server/start-04] stops gracefully on SIGTERM (exit code 0)", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM/);
  }, 20_000);
});
