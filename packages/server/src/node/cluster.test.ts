import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";
import { createId, generateSecretKey } from "@calipso/core";
import { describe, expect, it } from "vitest";
import { checkWorkers } from "./cluster.ts";
import { loadConfigObject } from "./config/load.ts";

const MYSQL = { host: process.env["CALIPSO_TEST_MYSQL_HOST"] ?? "127.0.0.1", port: Number(process.env["CALIPSO_TEST_MYSQL_PORT"] ?? 3306), user: "root", password: "" };
const mysqlUp = await createConnection(MYSQL).then(
  async (c) => (await c.end(), true),
  () => false,
);
const required = process.env["CALIPSO_REQUIRE_REAL"] === "1";

const base = (store: unknown, dir: string) => ({
  secretKey: generateSecretKey(),
  server: { port: 0, secureCookies: false, workers: 2 },
  store,
  auth: { provider: "static" },
  experiments: { provider: "static" },
  compute: { default: { provider: "fake" } },
  mounts: { dataRoot: "/srv/data", outputRoot: join(dir, "out") },
});

describe("[server/cluster] several worker processes", () => {
  it("refuses more than one worker with a single-process store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-cluster-"));
    const loaded = await loadConfigObject(base({ provider: "memory" }, dir), dir);
    expect(() => checkWorkers(loaded)).toThrow(/server\.workers: 2 workers need a store shared between processes/);
  });

  it.skipIf(!mysqlUp && !required)(`serves from two workers on one port with the MariaDB store, and stops on SIGTERM${mysqlUp ? "" : " (skipped: MariaDB not reachable)"}`, async () => {
    expect(mysqlUp, "MariaDB must be reachable").toBe(true);
    const database = `calipso_cluster_${createId().replace(/-/g, "").slice(0, 10)}`;
    const admin = await createConnection(MYSQL);
    await admin.query(`CREATE DATABASE ${database}`);
    try {
      const dir = mkdtempSync(join(tmpdir(), "calipso-cluster-"));
      const file = join(dir, "calipso.json");
      writeFileSync(file, JSON.stringify(base({ provider: "mysql", config: { ...MYSQL, database, migrate: true } }, dir)));
      const bin = new URL("./bin.ts", import.meta.url).pathname;
      const child = spawn(process.env["npm_node_execpath"] ?? "node", ["--conditions=@calipso/source", "--import", "tsx", bin, "serve", "--config", file], {
        env: { ...process.env, CALIPSO_LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d: Buffer) => void (stdout += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not listening:\n${stderr}`)), 60_000);
        child.stderr!.on("data", (d: Buffer) => {
          stderr += d.toString();
          const m = /listening on (http:\/\/[^\s]+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.once("exit", (code) => reject(new Error(`exited with ${code}:\n${stderr}`)));
      });
      expect(stderr).toMatch(/2 worker processes/);
      for (let i = 0; i < 10; i++) expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const pids = new Set(
        stdout
          .split("\n")
          .filter((l) => l.includes('"msg":"listening"'))
          .map((l) => (JSON.parse(l) as { pid: number }).pid),
      );
      expect(pids.size).toBe(2);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      await admin.query(`DROP DATABASE ${database}`);
      await admin.end();
    }
  }, 90_000);
});
