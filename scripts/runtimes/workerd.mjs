/**
 * @module Runs a worker bundle on workerd: serves it on 127.0.0.1 (a free port), fetches `/`, returns the JSON body.
 * The worker runs without `nodejs_compat`, as on an edge platform that offers only Web APIs.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { basename, dirname, join } from "node:path";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Returns `{ result?, error?, output }`. */
export async function runOnWorkerd(binary, workerFile, timeoutMs) {
  const dir = dirname(workerFile);
  const port = await freePort();
  const config = join(dir, "workerd.capnp");
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .testWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const testWorker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "${basename(workerFile)}") ],
  compatibilityDate = "2025-09-01",
);
`,
  );
  const child = spawn(binary, ["serve", config, "--verbose"], {
    cwd: dir,
    env: { ...process.env, PWD: dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let exited = false;
  child.once("exit", () => (exited = true));

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) return { error: "workerd exited before serving", output };
      if (Date.now() > deadline) return { error: `no answer from workerd within ${timeoutMs}ms`, output };
      let response;
      try {
        response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      } catch (error) {
        if (error?.name === "TimeoutError") return { error: `no answer from workerd within ${timeoutMs}ms`, output };
        await sleep(100); // not listening yet
        continue;
      }
      const body = await response.text();
      if (!response.ok) return { error: `workerd answered ${response.status}: ${body.slice(0, 2000)}`, output };
      return { result: JSON.parse(body), output };
    }
  } finally {
    child.kill("SIGTERM");
    if (!exited) await new Promise((r) => child.once("exit", r));
  }
}
