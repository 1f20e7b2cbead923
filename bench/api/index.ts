/**
 * @module Benchmark: the REST API under load, on SQLite and on MariaDB, side by side in one run.
 *
 * For each store: Calipso (fake compute, fake user office) behind `createApp()` on @hono/node-server
 * (127.0.0.1, logs off), one user who is a member of 200 experiments (2 sessions each) and owns 10
 * instances; a second user with 10 instances of their own. autocannon (a child process) drives
 * 64 connections for BENCH_SECONDS (default 10) per endpoint, with the user's session cookie:
 * - GET /api/v1/experiments?page=1&search=beam   (page 1 of a search)
 * - GET /api/v1/instances                         (the user's instances)
 * Every request authenticates the session (hash lookup + sliding expiry) and authorises.
 * Each store is loaded twice: with the default configuration (every request reads the session and its user
 * from the store) and with a session cache of BENCH_SESSION_CACHE_SEC seconds (default 5; `sessions.cacheSec`,
 * the server's `server.sessionCacheSec`), which answers the session from memory.
 * Then the same MariaDB data served by the real `calipso serve` with `server.workers: BENCH_WORKERS` (default 2)
 * processes sharing the port (node:cluster), with the same session cache.
 * On MariaDB, after seeding and before Calipso's runs, the machine's floor (./floor.ts): a bare Hono app
 * (no Calipso) on @hono/node-server, 127.0.0.1, with its own mysql2 pool of 16, driven by the same autocannon
 * load (64 connections, BENCH_SECONDS, warm-up discarded):
 * - GET /floor/hello       → {"ok":true} (HTTP + JSON only)
 * - GET /floor/one-query   → one query per request: the same user's instances (`select * from instances
 *                            where owner = ?`) as JSON — what /api/v1/instances must do at the least.
 * Prints requests/s, p50/p99 latency and non-2xx counts; MariaDB/SQLite and workers/one-process ratios; and
 * each MariaDB endpoint's req/s and p99 as a ratio of the floor's one-query route (Calipso/floor).
 *
 * Run (under the Node.js that built better-sqlite3):
 *   node --conditions=@calipso/source --import tsx bench/api/index.ts
 * Env: BENCH_ONLY (sqlite|mariadb), BENCH_SECONDS, BENCH_WORKERS (1: skip the workers run), BENCH_SESSION_CACHE_SEC (0: skip the cached runs), CALIPSO_TEST_MYSQL_HOST / _PORT (default 127.0.0.1:3306, root, no password).
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { serve } from "@hono/node-server";
import { createConnection } from "mysql2/promise";
import { createCalipso, createId, createSecrets, generateSecretKey } from "@calipso/core";
import type { Calipso, Instance, Store } from "@calipso/core";
import { createFakeAuth, createFakeCompute, createFakeExperiments } from "@calipso/core/testing";
import { createApp } from "@calipso/server";
import { createSqlStore } from "@calipso/store-sql";
import { startFloorServer } from "./floor.ts";

const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 10);
const ONLY = process.env["BENCH_ONLY"];
const MYSQL = { host: process.env["CALIPSO_TEST_MYSQL_HOST"] ?? "127.0.0.1", port: Number(process.env["CALIPSO_TEST_MYSQL_PORT"] ?? 3306), user: "root", password: "" };
const AUTOCANNON = new URL("../../node_modules/autocannon/autocannon.js", import.meta.url).pathname;
const run = promisify(execFile);
const WORKERS = Number(process.env["BENCH_WORKERS"] ?? 2);
/** Session cache of the second Calipso run of each store (`sessions.cacheSec`; 0 skips that run). */
const SESSION_CACHE_SEC = Number(process.env["BENCH_SESSION_CACHE_SEC"] ?? 5);
/** Results by run name, then endpoint label. */
const all: Record<string, Record<string, Result>> = {};
const ENDPOINTS = [
  ["GET /api/v1/experiments?page=1&search=beam", "/api/v1/experiments?page=1&search=beam"],
  ["GET /api/v1/instances", "/api/v1/instances"],
] as const;

interface Result {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

const BEAMLINES = ["BL04-MSPD", "BL11-NCD", "BL13-XALOC", "BL22-CLAESS", "BL29-BOREAS"];

function benchExperiments() {
  return Array.from({ length: 200 }, (_, i) => ({
    proposalId: `P${String(i).padStart(4, "0")}`,
    title: `${i % 3 === 0 ? "Beamtime" : "Study"} ${i}: ${["strain", "oxidation", "aggregation", "diffusion"][i % 4]} under load`,
    beamline: BEAMLINES[i % BEAMLINES.length]!,
    members: ["alice"],
    sessions: [
      { id: "s1", startsAt: new Date(Date.UTC(2026, i % 12, 1)).toISOString(), datasets: [{ path: `P${i}/s1` }] },
      { id: "s2", startsAt: new Date(Date.UTC(2026, i % 12, 15)).toISOString(), datasets: [{ path: `P${i}/s2` }] },
    ],
  }));
}

type Secrets = Awaited<ReturnType<typeof createSecrets>>;

/** A Calipso over `store` with fake providers; `cacheSec` is its session cache (0: off, the default). */
async function makeCalipso(store: Store, secrets: Secrets, cacheSec: number) {
  const auth = await createFakeAuth({ users: [{ username: "alice", password: "alice-pw", mayUseOwnResources: true }, { username: "bob", password: "bob-pw" }] });
  const source = await createFakeExperiments({ experiments: benchExperiments() });
  const compute = await createFakeCompute();
  const calipso = createCalipso({
    store,
    auth,
    experiments: { name: "bench", source, cacheTtlSec: 86_400 },
    compute: { default: compute },
    secrets,
    sessions: { cacheSec },
    mounts: { dataRoot: "/srv/data", outputRoot: "/srv/output" },
    quota: { instances: 100, cpu: 1000, memoryMiB: 1_000_000, storageGiB: 1000 },
    templates: [{ name: "desk", title: "Desktop", kind: "desktop", image: "desk:1", resources: { cpu: 1, memoryMiB: 1024 } }],
  });
  await calipso.init();
  return calipso;
}

async function seed(store: Store, secrets: Secrets) {
  const calipso = await makeCalipso(store, secrets, 0);
  const alice = await calipso.login({ method: "password", username: "alice", password: "alice-pw" });
  const bob = await calipso.login({ method: "password", username: "bob", password: "bob-pw" });
  await calipso.listExperiments(alice.user, {}); // sync the user's experiments into the store once
  for (const u of [alice.user, bob.user]) {
    for (let i = 0; i < 10; i++) {
      const now = new Date();
      const instance: Instance = { id: createId(), owner: u.id, template: "desk", state: "pending", resources: { cpu: 1, memoryMiB: 1024 }, createdAt: now };
      await store.admitInstance(instance, { instances: 100, cpu: 1000, memoryMiB: 1_000_000, storageGiB: 1000 });
      await store.instances.update(instance.id, ["pending"], { state: "running", startedAt: now });
    }
  }
  return { calipso, cookie: `calipso_session=${alice.token}`, owner: alice.user.id };
}

async function load(url: string, cookie: string): Promise<Result> {
  const { stdout } = await run(process.execPath, [AUTOCANNON, "-c", "64", "-d", String(SECONDS), "-j", "-H", `cookie=${cookie}`, url], { maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

const line = (name: string, label: string, r: Result) =>
  console.log(`${name.padEnd(8)} ${label.padEnd(44)} ${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}`);

/** Serves `calipso` on a free port and loads each endpoint with `cookie`. */
async function loadApp(name: string, calipso: Calipso, cookie: string): Promise<Record<string, Result>> {
  const app = createApp(calipso, { cookie: { secure: false } });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s as Server)) as Server;
  });
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const probe = await fetch(`${base}/api/v1/experiments?page=1&search=beam`, { headers: { cookie } });
    const page = (await probe.json()) as { total: number; items: unknown[] };
    console.log(`${name}: search 'beam' → ${page.total} experiments, page of ${page.items.length}`);
    const results: Record<string, Result> = {};
    for (const [label, path] of ENDPOINTS) {
      await load(`${base}${path}`, cookie).catch(() => undefined); // warm-up (JIT, caches), 1 run discarded
      results[label] = await load(`${base}${path}`, cookie);
      line(name, label, results[label]!);
    }
    return results;
  } finally {
    server.close();
  }
}

/**
 * Seeds `store`, runs `beforeLoad` (given alice's id and cookie), loads Calipso's endpoints with the
 * default configuration, then again with a session cache of SESSION_CACHE_SEC seconds (recorded as `<name>, session cache`).
 */
async function bench(name: string, store: Store, beforeLoad?: (owner: string, cookie: string) => Promise<void>): Promise<void> {
  const secrets = await createSecrets(generateSecretKey());
  const { calipso, cookie, owner } = await seed(store, secrets);
  if (beforeLoad) await beforeLoad(owner, cookie);
  try {
    all[name] = await loadApp(name, calipso, cookie);
  } finally {
    await calipso.dispose();
  }
  if (SESSION_CACHE_SEC <= 0) return;
  const cached = await makeCalipso(store, secrets, SESSION_CACHE_SEC);
  try {
    const { token } = await cached.login({ method: "password", username: "alice", password: "alice-pw" });
    all[`${name}, session cache`] = await loadApp(`${name}, session cache ${SESSION_CACHE_SEC} s`, cached, `calipso_session=${token}`);
  } finally {
    await cached.dispose();
  }
}

/** The same data served by `calipso serve` with `server.workers` processes (node:cluster) on the MariaDB database. */
async function benchWorkers(database: string): Promise<Record<string, Result>> {
  const dir = mkdtempSync(join(tmpdir(), "calipso-bench-workers-"));
  const file = join(dir, "calipso.json");
  writeFileSync(
    file,
    JSON.stringify({
      secretKey: generateSecretKey(),
      server: { port: 0, secureCookies: false, workers: WORKERS, metrics: false, sessionCacheSec: Math.max(0, SESSION_CACHE_SEC) },
      store: { provider: "mysql", config: { ...MYSQL, database, poolSize: 16 } },
      auth: { provider: "fake", config: { users: [{ username: "alice", password: "alice-pw", mayUseOwnResources: true }] } },
      experiments: { provider: "fake", name: "bench", cacheTtlSec: 86_400, config: { experiments: benchExperiments() } },
      compute: { default: { provider: "fake" } },
      mounts: { dataRoot: "/srv/data", outputRoot: join(dir, "out") },
      background: { reconcileIntervalSec: 0, reapIntervalSec: 0 },
      log: { level: "warn" },
    }),
  );
  const bin = new URL("../../packages/server/src/node/bin.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--conditions=@calipso/source", "--import", "tsx", bin, "serve", "--config", file], { stdio: ["ignore", "ignore", "pipe"] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let err = "";
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        const m = /listening on (http:\/\/[^\s]+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`calipso serve exited with ${code}: ${err}`)));
    });
    const login = await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "alice", password: "alice-pw" }) });
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    const name = `MariaDB, ${WORKERS} workers${SESSION_CACHE_SEC > 0 ? `, session cache ${SESSION_CACHE_SEC} s` : ""}`;
    const results: Record<string, Result> = {};
    for (const [label, path] of ENDPOINTS) {
      await load(`${base}${path}`, cookie).catch(() => undefined);
      results[label] = await load(`${base}${path}`, cookie);
      const r = results[label]!;
      console.log(`${name} ${label.padEnd(44)} ${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}`);
    }
    return results;
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bare Hono floor on the seeded MariaDB database, loaded like Calipso's endpoints. */
async function benchFloor(database: string, owner: string, cookie: string): Promise<Record<string, Result>> {
  const floor = await startFloorServer(MYSQL, database, owner);
  try {
    const rows = (await (await fetch(`${floor.base}/floor/one-query`)).json()) as unknown[];
    console.log(`Floor: one-query → ${rows.length} instances`);
    const results: Record<string, Result> = {};
    for (const path of ["/floor/hello", "/floor/one-query"]) {
      await load(`${floor.base}${path}`, cookie).catch(() => undefined); // warm-up, discarded
      results[`GET ${path}`] = await load(`${floor.base}${path}`, cookie);
      line("Floor", `GET ${path}`, results[`GET ${path}`]!);
    }
    return results;
  } finally {
    await floor.close();
  }
}

let floor: Record<string, Result> | undefined;
if (ONLY !== "mariadb") {
  const dir = mkdtempSync(join(tmpdir(), "calipso-bench-api-"));
  const store = await createSqlStore({ dialect: "sqlite", file: join(dir, "bench.db"), migrate: true });
  try {
    await bench("SQLite", store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
if (ONLY !== "sqlite") {
  const database = `calipso_bench_${createId().replace(/-/g, "").slice(0, 12)}`;
  let admin;
  try {
    admin = await createConnection(MYSQL);
  } catch (error) {
    console.log(`MariaDB not reachable at ${MYSQL.host}:${MYSQL.port} (${(error as Error).message}); skipped`);
  }
  if (admin) {
    await admin.query(`CREATE DATABASE ${database}`);
    const store = await createSqlStore({ dialect: "mysql", ...MYSQL, database, migrate: true, poolSize: 16 });
    try {
      await bench("MariaDB", store, async (owner, cookie) => {
        floor = await benchFloor(database, owner, cookie);
      });
      if (WORKERS > 1) all[`MariaDB, ${WORKERS} workers`] = await benchWorkers(database);
    } finally {
      await store.close();
      await admin.query(`DROP DATABASE ${database}`);
      await admin.end();
    }
  }
}
const ratio = (a: string, b: string) => {
  if (!all[a] || !all[b]) return;
  console.log(`\n${a} / ${b}`);
  for (const label of Object.keys(all[b]!)) {
    const x = all[a]![label]!;
    const y = all[b]![label]!;
    console.log(`${label.padEnd(44)} req/s ×${(x.rps / y.rps).toFixed(2)}  p99 ×${(x.p99 / y.p99).toFixed(2)}`);
  }
};
ratio("MariaDB", "SQLite");
ratio("SQLite, session cache", "SQLite");
ratio("MariaDB, session cache", "MariaDB");
ratio(`MariaDB, ${WORKERS} workers`, SESSION_CACHE_SEC > 0 ? "MariaDB, session cache" : "MariaDB");
const oneQuery = floor?.["GET /floor/one-query"];
if (oneQuery) {
  console.log(`\nCalipso / floor (bare Hono + one mysql2 query, ${Math.round(oneQuery.rps)} req/s, p99 ${oneQuery.p99} ms)`);
  for (const name of ["MariaDB", "MariaDB, session cache", `MariaDB, ${WORKERS} workers`]) {
    for (const [label, r] of Object.entries(all[name] ?? {})) {
      console.log(`${`${name}: ${label}`.padEnd(64)} req/s ×${(r.rps / oneQuery.rps).toFixed(2)}  p99 ×${(r.p99 / oneQuery.p99).toFixed(2)}`);
    }
  }
}
