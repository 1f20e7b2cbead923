import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { generateSecretKey } from "@calipso/core";
import { describe, expect, it } from "vitest";
import { runCli } from "./cli.ts";

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env: { CALIPSO_LOG_LEVEL: "silent", ...env } }, out, err };
}

function configFile(extra = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "calipso-cli-"));
  const file = join(dir, "calipso.yaml");
  writeFileSync(
    file,
    `secretKey: ${generateSecretKey()}
store: { provider: memory }
auth: { provider: static, config: { users: [{ username: alice }] } }
experiments: { provider: static }
compute:
  default: { provider: fake }
mounts: { dataRoot: /srv/data, outputRoot: ${join(dir, "out")} }
${extra}`,
  );
  return file;
}

describe("[server/cli] the calipso command", () => {
  it("prints usage; unknown commands and options exit 2", async () => {
    const a = io();
    expect((await runCli(["--help"], a.io)).code).toBe(0);
    expect(a.out.join()).toMatch(/serve .*migrate/s);
    expect((await runCli(["fly"], io().io)).code).toBe(2);
    expect((await runCli(["serve", "--colour"], io().io)).code).toBe(2);
  });

  it("config-schema writes a JSON Schema of the configured providers, with descriptions", async () => {
    const a = io();
    expect((await runCli(["config-schema", "--config", configFile()], a.io)).code).toBe(0);
    const schema = JSON.parse(a.out.join(""));
    expect(schema.$schema).toMatch(/2020-12/);
    expect(schema.properties.server.properties.port.description).toMatch(/TCP port/);
    expect(schema.properties.compute.properties.default.properties.config.properties.behaviour).toBeDefined();
    expect(schema.required).toEqual(expect.arrayContaining(["secretKey", "store", "auth", "experiments", "compute", "mounts"]));
  });

  it("config-schema without a config covers every installed built-in provider, and validates as a JSON Schema document", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-cli-"));
    const out = join(dir, "schema.json");
    expect((await runCli(["config-schema", "--out", out], io().io)).code).toBe(0);
    const schema = JSON.parse(readFileSync(out, "utf8"));
    const text = JSON.stringify(schema);
    for (const alias of ["static", "memory", "fake"]) expect(text).toContain(`"const":"${alias}"`);
    // the schema is itself usable: embed it in an OpenAPI 3.1 document and validate that
    const doc = { openapi: "3.1.0", info: { title: "t", version: "1" }, paths: {}, components: { schemas: { Config: { ...schema, $schema: undefined } } } };
    expect((await new Validator().validate(JSON.parse(JSON.stringify(doc)))).valid).toBe(true);
  }, 60_000);

  it("check probes every provider and reports in words; a bad config is reported with its path", async () => {
    const a = io();
    expect((await runCli(["check", "--config", configFile()], a.io)).code).toBe(0);
    expect(a.out.join("")).toMatch(/^ok\s+store \(memory\): reachable/m);
    expect(a.out.join("")).toMatch(/^ok\s+compute\.default \(fake\): reachable, 0 workload/m);
    const b = io();
    expect((await runCli(["check", "--config", configFile("server: { port: -1 }")], b.io)).code).toBe(1);
    expect(b.err.join("")).toMatch(/server\.port/);
    const c = io();
    expect((await runCli(["check"], c.io)).code).toBe(1);
    expect(c.err.join("")).toMatch(/--config FILE/);
  });

  it("check says FAIL for a provider that cannot be reached", async () => {
    const a = io();
    // The portable unreachable case: a SQLite file below a folder that cannot exist.
    const file = configFile();
    writeFileSync(file, readFileSync(file, "utf8").replace("store: { provider: memory }", "store: { provider: sqlite, config: { file: /proc/nope/calipso.db } }"));
    const code = (await runCli(["check", "--config", file], a.io)).code;
    expect(code).toBe(1);
    expect(a.out.join("")).toMatch(/^FAIL store \(sqlite\): /m);
  });

  it("check names an unreachable Docker socket in words", async () => {
    const a = io();
    const file = configFile();
    writeFileSync(file, readFileSync(file, "utf8").replace("default: { provider: fake }", "default: { provider: docker, config: { socketPath: /tmp/calipso-no-such-docker.sock } }"));
    expect((await runCli(["check", "--config", file], a.io)).code).toBe(1);
    const line = a.out.join("").split("\n").find((l) => l.includes("compute.default"))!;
    expect(line).toMatch(/^FAIL compute\.default \(docker\): /);
    expect(line).toMatch(/calipso-no-such-docker\.sock|ENOENT|unreachable|not reachable|cannot reach/i);
    expect(a.out.join("")).toMatch(/^ok\s+store \(memory\)/m);
  }, 30_000);

  it("import loads users, experiments and memberships into the store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-cli-"));
    const data = join(dir, "data.yaml");
    writeFileSync(
      data,
      `users: [{ username: zoe, roles: [user, admin] }, { username: yan }]
experiments:
  - { proposalId: X1, title: One, sessions: [{ id: s1, startsAt: "2026-01-01T00:00:00Z", datasets: [{ path: X1/s1 }] }] }
  - { proposalId: X2, title: Two }
memberships: [{ username: zoe, proposalId: X1 }, { username: yan, proposalId: X1 }, { username: yan, proposalId: X2 }]
`,
    );
    const a = io();
    expect((await runCli(["import", "--config", configFile(), "--file", data], a.io)).code).toBe(0);
    expect(a.out.join("")).toMatch(/Imported 2 user\(s\), 2 experiment\(s\), 3 membership\(s\)/);
    const bad = io();
    writeFileSync(data, "memberships: [{ username: zoe, proposalId: NOPE }]");
    expect((await runCli(["import", "--config", configFile(), "--file", data], bad.io)).code).toBe(1);
    expect(bad.err.join("")).toMatch(/memberships\.0\.proposalId/);
  });

  it("import reads CSV files (users, experiments, sessions, memberships) and refuses unknown columns", async () => {
    const dir = mkdtempSync(join(tmpdir(), "calipso-cli-"));
    const f = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const args = [
      "--users",
      f("users.csv", "username,displayName,roles,mayUseOwnResources\nzoe,\"Zoe, Z.\",user admin,true\nyan,,,\n"),
      "--experiments",
      f("experiments.csv", "proposalId,title,beamline,uid,gid\nX1,One,BL1,2001,2001\nX2,Two,,,\n"),
      "--sessions",
      f("sessions.csv", "proposalId,sessionId,startsAt,datasets\nX1,s1,2026-01-01T00:00:00Z,X1/s1/raw;X1/s1/processed\n"),
      "--memberships",
      f("memberships.csv", "username,proposalId\nzoe,X1\nyan,X2\n"),
    ];
    const a = io();
    expect((await runCli(["import", "--config", configFile(), ...args], a.io)).code).toBe(0);
    expect(a.out.join("")).toMatch(/Imported 2 user\(s\), 2 experiment\(s\), 2 membership\(s\)/);
    const bad = io();
    expect((await runCli(["import", "--config", configFile(), "--users", f("bad.csv", "username,password\nzoe,x\n")], bad.io)).code).toBe(1);
    expect(bad.err.join("")).toMatch(/unknown column 'password'/);
    const orphan = io();
    expect((await runCli(["import", "--config", configFile(), "--sessions", f("s.csv", "proposalId,sessionId\nNOPE,s1\n")], orphan.io)).code).toBe(1);
    expect(orphan.err.join("")).toMatch(/unknown experiment 'NOPE'/);
  });

  it("migrate reports that the memory store has no migrations", async () => {
    const a = io();
    expect((await runCli(["migrate", "--config", configFile()], a.io)).code).toBe(0);
    expect(a.out.join("")).toMatch(/no migrations/);
  });
});
