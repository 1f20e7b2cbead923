/** @module The `calipso` command line: serve, migrate, check, config-schema, import. */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { AppError } from "@calipso/core";
import type { Logger } from "@calipso/core";
import { buildStore } from "./build.ts";
import { checkConfig, explain, formatCheck } from "./check.ts";
import { catalogueJsonSchema, configJsonSchema } from "./config/json-schema.ts";
import { loadConfigFile, loadConfigObject } from "./config/load.ts";
import type { LoadedConfig } from "./config/load.ts";
import { DEMO_LOGINS, demoConfig } from "./demo.ts";
import { importData, readImportFile } from "./import.ts";
import { readImportCsv } from "./import-csv.ts";
import { createLogger } from "./logger.ts";
import { startServer } from "./serve.ts";
import { checkWorkers, isClusterWorker, startCluster } from "./cluster.ts";
import type { Serving } from "./cluster.ts";

export const USAGE = `Usage: calipso <command> [options]

Commands:
  serve           Serve the API (--config FILE, or --demo for the built-in demo)
  migrate         Apply pending database migrations of the configured store
  check           Probe every configured provider and report what is wrong
  config-schema   Write the configuration's JSON Schema (--out FILE; stdout by default)
  import          Load users, experiments, sessions and memberships: --file FILE (YAML/JSON, the
                  static provider's format) or CSV files --users --experiments --sessions --memberships

Options:
  -c, --config FILE   Configuration file (YAML or JSON); default $CALIPSO_CONFIG
      --demo          serve: the demo (SQLite in .calipso/, examples/demo/ facility)
      --data-dir DIR  serve --demo: where state goes (default $CALIPSO_DATA_DIR or .calipso)
      --port N        serve: override server.port
      --host ADDR     serve: override server.host
      --out FILE      config-schema: output file
      --file FILE     import: YAML/JSON data file
      --users FILE, --experiments FILE, --sessions FILE, --memberships FILE
                      import: CSV files with a header row
  -h, --help          This help

CSV columns for import (header row required):
  users        username, displayName, email, roles ("user admin"), mayUseOwnResources (true/false)
  experiments  proposalId, title, abstract, beamline, uid, gid
  sessions     proposalId, sessionId, number, startsAt, endsAt, datasets ("a/b;c/d")
  memberships  username, proposalId
`;

/** What the CLI writes to (injectable for tests). */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const defaultIo: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env };

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: "string", short: "c" },
      demo: { type: "boolean" },
      "data-dir": { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      out: { type: "string" },
      file: { type: "string" },
      users: { type: "string" },
      experiments: { type: "string" },
      sessions: { type: "string" },
      memberships: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

async function loadFromArgs(values: ReturnType<typeof parse>["values"], io: CliIo, logger: Logger): Promise<LoadedConfig> {
  if (values.demo) {
    const port = values.port !== undefined ? Number(values.port) : undefined;
    const { raw, baseDir } = await demoConfig({ env: io.env, ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}), ...(port !== undefined ? { port } : {}) }, logger);
    return loadConfigObject(raw, baseDir);
  }
  const file = values.config ?? io.env["CALIPSO_CONFIG"];
  if (!file) throw new AppError("INVALID_CONFIG", { detail: "No configuration: pass --config FILE (or set CALIPSO_CONFIG), or use --demo" });
  return loadConfigFile(file, { env: io.env });
}

/** Starts `serve` and returns the running server (the caller decides about signals). */
export async function serveCommand(values: ReturnType<typeof parse>["values"], io: CliIo): Promise<{ running: Serving; logger: Logger }> {
  const boot = createLogger(io.env["CALIPSO_LOG_LEVEL"] ?? "info");
  const loaded = await loadFromArgs(values, io, boot.logger);
  const { logger } = createLogger(loaded.config.log.level);
  const port = values.port !== undefined ? Number(values.port) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new AppError("INVALID_CONFIG", { detail: `--port: not a port: ${values.port}` });
  const listen = { ...(port !== undefined ? { port } : {}), ...(values.host ? { host: values.host } : {}) };
  if (loaded.config.server.workers > 1 && !isClusterWorker()) {
    // The primary only forks; each worker runs this same command and serves.
    const running = await startCluster(loaded, logger);
    io.err(`${banner(running.url, values.demo === true)}  (${loaded.config.server.workers} worker processes)\n`);
    return { running, logger };
  }
  checkWorkers(loaded);
  const running = await startServer(loaded, { logger, ...listen });
  logger.info("listening", { url: running.url });
  if (isClusterWorker()) return { running, logger };
  io.err(`${banner(running.url, values.demo === true)}\n`);
  return { running, logger };
}

/** The start message: URL, docs, and the demo logins. */
function banner(url: string, demo: boolean): string {
  const lines = [`Calipso is listening on ${url}`, `  API docs:  ${url}/api/docs`, `  OpenAPI:   ${url}/api/openapi.json`];
  if (demo) {
    lines.push("  Demo logins (POST /api/v1/auth/login):");
    for (const l of DEMO_LOGINS) lines.push(`    ${l.username.padEnd(6)} / ${l.password.padEnd(11)} ${l.note}`);
  }
  return lines.join("\n");
}

/** Runs one CLI invocation; resolves to the exit code (serve resolves once the server is up: 0). */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<{ code: number; server?: Serving }> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return { code: 2 };
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    io.out(USAGE);
    return { code: values.help ? 0 : 2 };
  }
  const { logger } = createLogger(io.env["CALIPSO_LOG_LEVEL"] ?? "warn");
  try {
    switch (command) {
      case "serve": {
        const { running } = await serveCommand(values, io);
        return { code: 0, server: running };
      }
      case "migrate": {
        const loaded = await loadFromArgs(values, io, logger);
        const { store } = await buildStore(loaded, logger);
        try {
          const migrate = (store as { migrate?: () => Promise<unknown> }).migrate;
          if (typeof migrate !== "function") io.out(`The ${loaded.config.store.provider} store has no migrations.\n`);
          else io.out(`Migrated: ${JSON.stringify(await migrate.call(store))}\n`);
        } finally {
          await store.close();
        }
        return { code: 0 };
      }
      case "check": {
        const loaded = await loadFromArgs(values, io, logger);
        const results = await checkConfig(loaded, logger);
        io.out(`${formatCheck(results)}\n`);
        return { code: results.every((r) => r.ok) ? 0 : 1 };
      }
      case "config-schema": {
        const schema = values.config || values.demo ? configJsonSchema(await loadFromArgs(values, io, logger)) : await catalogueJsonSchema();
        const text = `${JSON.stringify(schema, null, 2)}\n`;
        if (values.out) await writeFile(values.out, text);
        else io.out(text);
        return { code: 0 };
      }
      case "import": {
        const csv = { users: values.users, experiments: values.experiments, sessions: values.sessions, memberships: values.memberships };
        const hasCsv = Object.values(csv).some(Boolean);
        if (!values.file && !hasCsv) throw new AppError("VALIDATION_FAILED", { detail: "import needs --file FILE (YAML/JSON) or CSV files (--users, --experiments, --sessions, --memberships)" });
        const loaded = await loadFromArgs(values, io, logger);
        const data = values.file
          ? await readImportFile(values.file)
          : await readImportCsv(Object.fromEntries(Object.entries(csv).filter(([, v]) => v)) as Record<string, string>);
        const { store } = await buildStore(loaded, logger);
        try {
          const report = await importData(store, loaded.config.experiments.name, data);
          io.out(`Imported ${report.users} user(s), ${report.experiments} experiment(s), ${report.memberships} membership(s).\n`);
        } finally {
          await store.close();
        }
        return { code: 0 };
      }
      default:
        io.err(`Unknown command '${command}'.\n\n${USAGE}`);
        return { code: 2 };
    }
  } catch (error) {
    io.err(`calipso ${command}: ${explain(error)}\n`);
    return { code: 1 };
  }
}
