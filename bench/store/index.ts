/**
 * @module Benchmark: the SQL store on MariaDB and SQLite, side by side in one run.
 *
 * Seeds 1,000 users and 10,000 experiments with 2 sessions each (every user a member of 20
 * experiments, 4 of them favourites), through the store's own API, then measures:
 * - listing a user's experiments: page 1 (default sort), a search, sort by beamline desc, and
 *   favourites only — each with 1 and with 32 concurrent callers (p50, p99, ops/s, and this
 *   process's CPU time per call), after an unreported warm-up;
 * - quota admission: 32 concurrent callers admitting for distinct users, and for one user (every
 *   admission contends for the same row lock).
 * Beside them, in the same run on the same seeded database, the machine's floor (./floor.ts), measured
 * the same way at 1 and 32 callers, after a warm-up:
 * - floor A: `select 1` through a bare driver (mysql2 pool of 16 connections, as the store's; or
 *   better-sqlite3 on the store's file) — one round trip and nothing else;
 * - floor B: the store's page-1 listing written as SQL by hand (the same deferred join over
 *   memberships ⨝ experiments ⟕ favourites, starts_at desc, 20 rows, count(*) over()) sent to the bare
 *   driver — Calipso's listing work without its layers.
 * It prints MariaDB/SQLite ratios, each Calipso listing row's ops/s as a ratio of floor B at the same
 * number of callers ("calipso/bare"), and whether floors A and B themselves meet the p99 target. MariaDB gets its own `calipso_bench_<random>` database, dropped at
 * the end; SQLite a file in a temporary folder.
 *
 * Run: node --conditions=@calipso/source --import tsx bench/store/index.ts
 * (under Node 20: better-sqlite3 is built for the Node that installed it.)
 * Env: BENCH_ONLY (mariadb|sqlite), BENCH_CALLS (calls per listing measurement, default 3000), BENCH_ADMISSIONS (default 2000),
 * CALIPSO_TEST_MYSQL_HOST / CALIPSO_TEST_MYSQL_PORT (default 127.0.0.1:3306, user root, no password).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";
import { createId, createSecrets, generateSecretKey } from "@calipso/core";
import type { ExperimentQuery, Instance, SourceExperiment, Store } from "@calipso/core";
import { createSqlStore } from "@calipso/store-sql";
import { createMysqlFloor, createSqliteFloor } from "./floor.ts";
import type { Floor } from "./floor.ts";

const USERS = 1000;
const EXPERIMENTS = 10_000;
const PER_USER = 20;
const CALLS = Number(process.env["BENCH_CALLS"] ?? 3000);
const ADMISSIONS = Number(process.env["BENCH_ADMISSIONS"] ?? 2000);
const ONLY = process.env["BENCH_ONLY"]; // "mariadb" or "sqlite" to measure one side
const MYSQL = { host: process.env["CALIPSO_TEST_MYSQL_HOST"] ?? "127.0.0.1", port: Number(process.env["CALIPSO_TEST_MYSQL_PORT"] ?? 3306), user: "root", password: "" };

interface Stats {
  p50: number;
  p99: number;
  opsPerSec: number;
  /** CPU time of this Node process per call (ms): what the driver, Kysely and the store cost here. */
  cpuMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `calls` calls of `fn` with `concurrency` callers; per-call latency in ms. */
async function measure(calls: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<Stats> {
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < calls; i = next++) {
        const t = performance.now();
        await fn(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), opsPerSec: (calls / elapsed) * 1000, cpuMs: (used.user + used.system) / 1000 / calls };
}

function experiment(n: number): SourceExperiment {
  const day = (d: number) => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000);
  return {
    proposalId: `P${String(n).padStart(6, "0")}`,
    title: `Structure of sample ${n} under pressure`,
    abstract: `Abstract of experiment ${n}`,
    beamline: `BL${String(n % 29).padStart(2, "0")}`,
    posix: { uid: 10_000 + (n % 500), gid: 10_000 },
    sessions: [
      { id: `${n}-1`, number: "1", startsAt: day(n % 700), endsAt: day((n % 700) + 1), datasets: [{ path: `raw/${n}/1`, readOnly: true }] },
      { id: `${n}-2`, number: "2", startsAt: day((n % 700) + 30), endsAt: day((n % 700) + 31), datasets: [{ path: `raw/${n}/2`, readOnly: true }] },
    ],
  };
}

/** The experiments of user `u`: 20 of them, so that each experiment has 2 members. */
function experimentsOf(u: number): number[] {
  const half = PER_USER / 2;
  return [...Array.from({ length: half }, (_, k) => u * half + k), ...Array.from({ length: half }, (_, k) => (u * half + k + EXPERIMENTS / 2 + 3) % EXPERIMENTS)];
}

async function seed(store: Store, concurrency: number): Promise<string[]> {
  const ids: string[] = new Array(USERS);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let u = next++; u < USERS; u = next++) {
        const user = await store.users.upsertFromIdentity({ username: `bench${u}` }, new Date());
        const stored = await store.experiments.syncForUser(user.id, "uo", experimentsOf(u).map(experiment), new Date());
        for (const e of stored.slice(0, 4)) await store.experiments.setFavourite(user.id, e.id, true);
        ids[u] = user.id;
      }
    }),
  );
  return ids;
}

type Row = { name: string; mariadb?: Stats; sqlite?: Stats };

const FLOOR_A = "floor A: bare select 1";
const FLOOR_B = "floor B: bare listing SQL (page 1)";
const callers = (n: number) => `${n} caller${n > 1 ? "s" : ""}`;

function record(rows: Row[], key: string, name: "mariadb" | "sqlite", stats: Stats): void {
  const row = rows.find((r) => r.name === key) ?? rows[rows.push({ name: key }) - 1]!;
  row[name] = stats;
}

/** Floors A and B on the seeded database, at 1 and 32 callers, each after an unreported warm-up. */
async function measureFloor(name: "mariadb" | "sqlite", floor: Floor, users: string[], rows: Row[]): Promise<void> {
  const sample = await floor.listPage(users[0]!);
  if (sample.length !== 20) throw new Error(`floor B: ${sample.length} rows instead of 20, it would not measure the listing`);
  for (const [label, fn] of [
    [FLOOR_A, () => floor.selectOne()],
    [FLOOR_B, (i: number) => floor.listPage(users[(i * 7919) % USERS]!)],
  ] as const) {
    await measure(Math.min(500, CALLS), 8, (i) => fn(i * 104_729)); // warm-up, not reported
    for (const concurrency of [1, 32]) record(rows, `${label}, ${callers(concurrency)}`, name, await measure(CALLS, concurrency, fn));
  }
}

async function runOn(name: "mariadb" | "sqlite", store: Store, floor: () => Floor, rows: Row[]): Promise<void> {
  const t0 = performance.now();
  const users = await seed(store, name === "mariadb" ? 8 : 1);
  console.log(`${name}: seeded ${USERS} users, ${EXPERIMENTS} experiments, ${USERS * PER_USER} memberships in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const bare = floor();
  try {
    await measureFloor(name, bare, users, rows);
  } finally {
    await bare.close();
  }
  const base: ExperimentQuery = { page: 1, pageSize: 20, sort: "startsAt", order: "desc", favouritesOnly: false };
  const queries: [string, ExperimentQuery][] = [
    ["list page 1", base],
    ["list search 'BL1'", { ...base, search: "BL1" }],
    ["list sort beamline desc", { ...base, sort: "beamline", order: "desc" }],
    ["list favourites only", { ...base, favouritesOnly: true }],
  ];
  for (const [label, q] of queries) {
    const sample = await store.experiments.listForUser(users[0]!, q);
    if (sample.items.length === 0) throw new Error(`${label}: empty result, the benchmark would measure nothing`);
    await measure(Math.min(500, CALLS), 8, (i) => store.experiments.listForUser(users[(i * 104_729) % USERS]!, q)); // warm-up, not reported
    for (const concurrency of [1, 32]) {
      const stats = await measure(CALLS, concurrency, (i) => store.experiments.listForUser(users[(i * 7919) % USERS]!, q));
      record(rows, `${label}, ${callers(concurrency)}`, name, stats);
    }
  }
  const limits = { instances: 1_000_000, cpu: 1_000_000, memoryMiB: 1_000_000_000, storageGiB: 1_000_000 };
  const instance = (owner: string): Instance => ({ id: createId(), owner, template: "desktop", state: "pending", resources: { cpu: 1, memoryMiB: 1024 }, createdAt: new Date() });
  const admitDistinct = await measure(ADMISSIONS, 32, (i) => store.admitInstance(instance(users[i % USERS]!), limits));
  const admitOne = await measure(ADMISSIONS, 32, () => store.admitInstance(instance(users[1]!), limits));
  for (const [key, stats] of [
    ["admission, 32 callers, distinct users", admitDistinct],
    ["admission, 32 callers, one user (same row lock)", admitOne],
  ] as const) record(rows, key, name, stats);
}

const fmt = (s?: Stats) =>
  s ? `${s.p50.toFixed(2).padStart(7)} ${s.p99.toFixed(2).padStart(7)} ${s.opsPerSec.toFixed(0).padStart(7)} ${s.cpuMs.toFixed(3).padStart(6)}` : "      —       —       —      —";

const secrets = await createSecrets(generateSecretKey());
const rows: Row[] = [];
const dbName = `calipso_bench_${createId().replaceAll("-", "").slice(0, 12)}`;
const dir = mkdtempSync(join(tmpdir(), "calipso-bench-"));
const admin = await createConnection({ ...MYSQL, connectTimeout: 3000 }).catch((e: unknown) => {
  console.log(`MariaDB unreachable (${(e as { code?: string }).code}); measuring SQLite only`);
  return undefined;
});
try {
  if (admin && ONLY !== "sqlite") {
    await admin.query(`create database \`${dbName}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
    const maria = await createSqlStore({ dialect: "mysql", ...MYSQL, database: dbName, migrate: true, poolSize: 16, secrets });
    await runOn("mariadb", maria, () => createMysqlFloor(MYSQL, dbName, 16), rows);
    await maria.close();
  }
  if (ONLY !== "mariadb") {
    const lite = await createSqlStore({ dialect: "sqlite", file: join(dir, "bench.db"), secrets });
    await runOn("sqlite", lite, () => createSqliteFloor(join(dir, "bench.db")), rows);
    await lite.close();
  }
} finally {
  if (admin) {
    await admin.query(`drop database if exists \`${dbName}\``);
    await admin.end();
  }
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${"".padEnd(52)}  ${"MariaDB".padEnd(30)}  ${"SQLite".padEnd(30)}`);
console.log(`${"operation".padEnd(52)}   p50 ms  p99 ms   ops/s cpu/op   p50 ms  p99 ms   ops/s cpu/op  ops/s M/S`);
for (const r of rows) {
  const ratio = r.mariadb && r.sqlite ? (r.mariadb.opsPerSec / r.sqlite.opsPerSec).toFixed(2) : "—";
  console.log(`${r.name.padEnd(52)}  ${fmt(r.mariadb)}  ${fmt(r.sqlite)}  ${ratio.padStart(8)}`);
}
const floorRatio = (r: Row, side: "mariadb" | "sqlite") => {
  const b = rows.find((f) => f.name === `${FLOOR_B}, ${r.name.slice(r.name.lastIndexOf(", ") + 2)}`)?.[side];
  return r[side] && b ? `×${(r[side].opsPerSec / b.opsPerSec).toFixed(2)}` : "—";
};
console.log(`\nCalipso listing ops/s as a ratio of floor B (bare driver, page-1 listing SQL) at the same number of callers`);
console.log(`${"operation".padEnd(52)}  ${"calipso/bare MariaDB".padStart(20)}  ${"calipso/bare SQLite".padStart(20)}`);
for (const r of rows.filter((x) => x.name.startsWith("list"))) console.log(`${r.name.padEnd(52)}  ${floorRatio(r, "mariadb").padStart(20)}  ${floorRatio(r, "sqlite").padStart(20)}`);
const floorP99 = (label: string) => rows.find((r) => r.name === `${label}, 32 callers`)?.mariadb?.p99;
const verdict = (p?: number) => (p === undefined ? "not measured" : `p99 ${p.toFixed(2)} ms: ${p < 5 ? "meets" : "does NOT meet"} p99 < 5 ms`);
console.log(`\nFloor on MariaDB, 32 callers: floor A (select 1) ${verdict(floorP99(FLOOR_A))}; floor B (listing SQL) ${verdict(floorP99(FLOOR_B))}`);
const worst = rows.filter((r) => r.name.startsWith("list") && r.name.endsWith("32 callers")).map((r) => r.mariadb?.p99 ?? Number.NaN);
console.log(`\nTarget: p99 < 5 ms per listing page on MariaDB with 32 callers → worst p99 ${Math.max(...worst).toFixed(2)} ms: ${Math.max(...worst) < 5 ? "met" : "NOT met"}`);
