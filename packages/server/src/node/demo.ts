/**
 * @module The `npm start` demo: SQLite file store in `.calipso/` (in-memory when @calipso/store-sql
 * is missing), the `static` facility from `examples/demo/`, Docker when a socket is found (otherwise
 * the in-memory fake compute), the fake desktop gateway, and the docs UI.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateSecretKey } from "@calipso/core";
import type { Logger } from "@calipso/core";
import { parseConfigText } from "./config/load.ts";

/** The demo logins printed at start. */
export const DEMO_LOGINS = [
  { username: "alice", password: "alice-demo", note: "user, member of two experiments" },
  { username: "bob", password: "bob-demo", note: "user, member of two experiments" },
  { username: "admin", password: "admin-demo", note: "administrator" },
] as const;

export interface DemoOptions {
  /** Where state goes (default `$CALIPSO_DATA_DIR` or `.calipso` in the working directory). */
  readonly dataDir?: string;
  /** The demo facility folder (default `examples/demo` of this repository). */
  readonly demoDir?: string;
  readonly port?: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Whether `@calipso/store-sql` can be imported (injectable for tests). */
  readonly hasSqlStore?: () => Promise<boolean>;
}

/** The demo folder of this repository: `examples/demo` above this file (sources or dist) or the working directory. */
export function defaultDemoDir(): string {
  const starts = [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, "examples", "demo", "facility.yaml"))) return join(dir, "examples", "demo");
      if (dirname(dir) === dir) break;
    }
  }
  return join(process.cwd(), "examples", "demo");
}

/** The Docker socket to use, if one exists: `$CALIPSO_DOCKER_SOCKET`, else `/var/run/docker.sock`. */
export function findDockerSocket(env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const candidate of [env["CALIPSO_DOCKER_SOCKET"], "/var/run/docker.sock"]) {
    if (!candidate) continue;
    try {
      if (statSync(candidate).isSocket()) return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Reads the persisted secret key, or creates one (mode 0600) on first start. */
export function demoSecretKey(dataDir: string): string {
  const file = join(dataDir, "secret.key");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const key = generateSecretKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

/** Whether the SQLite store works here: its package imports and better-sqlite3's native module loads. */
async function canUseSqlite(): Promise<boolean> {
  try {
    const specifier = "@calipso/store-sql"; // a variable: the store is optional, resolved at run time
    const mod = (await import(specifier)) as Record<string, unknown>;
    if (typeof mod["sqliteStore"] !== "object") return false;
    const Database = createRequire(import.meta.url)("better-sqlite3") as new (file: string) => { close(): void };
    new Database(":memory:").close();
    return true;
  } catch {
    return false;
  }
}

/** The raw demo configuration (validated by the caller like any other) and what it chose, in words. */
export async function demoConfig(options: DemoOptions, logger: Logger): Promise<{ raw: Record<string, unknown>; baseDir: string }> {
  const env = options.env ?? process.env;
  const dataDir = resolve(options.dataDir ?? env["CALIPSO_DATA_DIR"] ?? ".calipso");
  const demoDir = resolve(options.demoDir ?? defaultDemoDir());
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const facility = parseConfigText(readFileSync(join(demoDir, "facility.yaml"), "utf8"), "facility.yaml");
  const templates = parseConfigText(readFileSync(join(demoDir, "templates.yaml"), "utf8"), "templates.yaml");

  const sql = await (options.hasSqlStore ?? canUseSqlite)();
  const store = sql ? { provider: "sqlite", config: { file: join(dataDir, "calipso.db") } } : { provider: "memory" };
  if (sql) logger.info("demo store: SQLite", { file: join(dataDir, "calipso.db") });
  else logger.warn("demo store: in memory (@calipso/store-sql or its native better-sqlite3 module does not load under this Node.js); state is lost on restart");

  const socket = findDockerSocket(env);
  const compute = socket
    ? { provider: "docker", config: { socketPath: socket } }
    : { provider: "fake", config: { engine: "demo", name: "default", behaviour: { mode: "ready", delayMs: 1500 } } };
  if (socket) logger.info("demo compute: Docker", { socket });
  else logger.warn("demo compute: no Docker socket found (/var/run/docker.sock or $CALIPSO_DOCKER_SOCKET); using the in-memory fake backend: nothing really runs");
  logger.warn("demo desktop: the fake gateway (no Guacamole configured); access URLs point to desktop.fake.invalid");

  const raw = {
    secretKey: demoSecretKey(dataDir),
    server: { host: "127.0.0.1", port: options.port ?? 8080, secureCookies: false },
    store,
    auth: { provider: "static", config: facility },
    experiments: { provider: "static", name: "demo", cacheTtlSec: 60, config: facility },
    compute: { default: compute },
    desktop: { provider: "fake", config: { gateway: "demo", accessTtlSec: 60 } },
    mounts: { dataRoot: join(demoDir, "data"), outputRoot: join(dataDir, "output") },
    quota: { instances: 3, cpu: 8, memoryMiB: 16384, storageGiB: 50 },
    templates,
    defaultPosix: { uid: 1000, gid: 1000 },
    deploymentId: "calipso-demo",
    background: { reconcileIntervalSec: 30, reapIntervalSec: 30 },
    log: { level: env["CALIPSO_LOG_LEVEL"] ?? "info" },
  };
  return { raw, baseDir: demoDir };
}
