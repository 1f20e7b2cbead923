#!/usr/bin/env node
/**
 * @module Runs the runtime-neutral tests of @calipso/core and @calipso/sdk on Node 20, Node 24, Deno, Bun and workerd,
 * together with a smoke test of the server's web-standard `createApp()` (`scripts/runtimes/server-smoke.test.mjs`).
 *
 * The test files (see `scripts/runtimes/collect.mjs` for which count as runtime-neutral) are bundled once with
 * esbuild (platform neutral, condition `@calipso/source`, `vitest` → `scripts/runtimes/vitest-shim.mjs`) and the
 * same bundle is run on every runtime. A shim self-check runs first on each runtime: its must-fail tests must fail.
 * Prints one line per runtime, then `N passed, M failed`; exits non-zero when any runtime fails, runs no test,
 * or cannot be started. Options: `--only node20,deno` to run some runtimes, `--verbose` to list every test.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle, checkBundles, collectTestFiles } from "./runtimes/collect.mjs";
import { runOnWorkerd } from "./runtimes/workerd.mjs";
import { ensureNode24 } from "./runtimes/node24.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shim = join(root, "scripts/runtimes/vitest-shim.mjs");
const selfcheck = "scripts/runtimes/selfcheck.test.mjs";
/** Not core or sdk, but counted: `createApp()` of @calipso/server must be web-standard as well (design rule 3). */
const serverSmoke = "scripts/runtimes/server-smoke.test.mjs";
const RUNTIME_TIMEOUT_MS = 90_000;
const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const onlyArg = args.find((a, i) => args[i - 1] === "--only" || a.startsWith("--only="));
const only = onlyArg ? onlyArg.replace(/^--only=/, "").split(",") : null;


/** The first candidate that is a real executable (npm packages keep a small placeholder until postinstall). */
function findBinary(candidates) {
  for (const candidate of candidates) {
    try {
      const path = candidate.startsWith("/") ? candidate : join(root, "node_modules", candidate);
      const stat = statSync(path);
      if (stat.isFile() && stat.size > 1_000_000 && stat.mode & 0o111) return path;
    } catch {
      // next candidate
    }
  }
  return null;
}

const arch = process.arch === "arm64" ? "arm64" : "x64";
const runtimes = [
  // The Node that runs this script (20 on the project's machines and CI).
  { name: `node${process.versions.node.split(".")[0]}`, binary: process.execPath, args: (f) => [f] },
  { name: "node24", binary: !only || only.includes("node24") ? ensureNode24(root) : null, args: (f) => [f] },
  {
    name: "deno",
    binary: findBinary(["deno/deno", `@deno/${process.platform}-${arch === "x64" ? "x64" : "arm64"}-glibc/deno`]),
    args: (f) => ["run", "-A", "--no-config", "--no-lock", f],
  },
  {
    name: "bun",
    binary: findBinary(["bun/bin/bun.exe", `@oven/bun-${process.platform}-${arch === "x64" ? "x64" : "aarch64"}/bin/bun`]),
    args: (f) => [f],
  },
  {
    name: "workerd",
    binary: findBinary([`@cloudflare/workerd-${process.platform}-${arch === "x64" ? "64" : "arm64"}/bin/workerd`, "workerd/bin/workerd"]),
    worker: true,
  },
].filter((r) => !only || only.includes(r.name));

function runProcess(runtime, file, cwd) {
  return new Promise((resolveRun) => {
    const child = spawn(runtime.binary, runtime.args(file), {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(cwd, ".deno") },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUNTIME_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolveRun({ error: `cannot start: ${error.message}`, output: stderr });
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split("\n").find((l) => l.startsWith("@@calipso-runtimes@@"));
      const output = `${stdout.split("\n").filter((l) => !l.startsWith("@@calipso-runtimes@@")).join("\n")}${stderr}`;
      if (!line) return resolveRun({ error: `exited ${signal ?? code} without a result`, output });
      const result = JSON.parse(line.slice("@@calipso-runtimes@@".length));
      if (code !== 0) return resolveRun({ error: `exited ${code} after reporting`, result, output });
      resolveRun({ result, output });
    });
  });
}

/** Splits the self-check from the real results and verifies it. */
function evaluate(result) {
  const problems = [];
  const own = [];
  for (const r of result.results) {
    if (r.file !== selfcheck) {
      own.push(r);
      continue;
    }
    const expected = r.name.startsWith("must-fail") ? "fail" : "pass";
    if (r.state !== expected) problems.push(`shim self-check: "${r.name}" ${r.state}ed, expected ${expected}`);
  }
  const mustFail = result.results.filter((r) => r.file === selfcheck && r.name.startsWith("must-fail")).length;
  if (mustFail < 10) problems.push(`shim self-check: only ${mustFail} must-fail tests reported`);
  const count = (s) => own.filter((r) => r.state === s).length;
  return { passed: count("pass"), failed: count("fail"), skipped: count("skip"), own, problems };
}

async function main() {
  const started = Date.now();
  const { included, excluded } = collectTestFiles(root);
  // One bundle of everything first; only when it fails is each file bundled alone to find the culprit.
  const dir = mkdtempSync(join(tmpdir(), "calipso-runtimes-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const cliBundle = join(dir, "tests.mjs");
  const workerBundle = join(dir, "worker.mjs");
  let checked = { ok: [serverSmoke, ...included], excluded: [], errors: [] };
  const firstTry = checked.ok;
  try {
    await bundle(root, shim, [selfcheck, serverSmoke, ...included], cliBundle, "cli", [selfcheck]);
  } catch {
    checked = await checkBundles(root, shim, [serverSmoke, ...included]);
    // The smoke test is never set aside: a Node built-in behind createApp() breaks the design rule.
    const smoke = checked.excluded.find((e) => e.file === serverSmoke);
    if (smoke) checked.errors.push({ file: serverSmoke, error: `createApp() is not web-standard: ${smoke.reason}` });
    checked.excluded = checked.excluded.filter((e) => e.file !== serverSmoke);
  }
  for (const { file, reason } of [...excluded, ...checked.excluded].sort((a, b) => a.file.localeCompare(b.file))) {
    console.log(`excluded ${file}: ${reason} (runs under vitest on Node only)`);
  }
  let setupFailed = false;
  for (const { file, error } of checked.errors) {
    setupFailed = true;
    console.log(`BUNDLE ERROR ${file}:\n${error.replace(/^/gm, "    ")}`);
  }
  const files = [selfcheck, ...checked.ok];
  console.log(`${checked.ok.length} runtime-neutral test files (core, sdk, and the createApp() smoke test; + shim self-check)`);

  let totalPassed = 0;
  let totalFailed = 0;
  let anyFailed = setupFailed;
  await Promise.all([
    checked.ok === included ? null : bundle(root, shim, files, cliBundle, "cli", [selfcheck]),
    bundle(root, shim, files, workerBundle, "worker", [selfcheck]),
  ]);

  for (const runtime of runtimes) {
    const label = runtime.name.padEnd(8);
    const versionProblem = runtime.check?.();
    if (!runtime.binary || typeof versionProblem === "string") {
      anyFailed = true;
      totalFailed++;
      console.log(`${label} passed 0 failed 1  (its binary was not found in node_modules: run \`npm ci\`)`);
      continue;
    }
    const runStarted = Date.now();
    const run = runtime.worker
      ? await runOnWorkerd(runtime.binary, workerBundle, RUNTIME_TIMEOUT_MS)
      : await runProcess(runtime, cliBundle, dir);
    if (!run.result) {
      anyFailed = true;
      totalFailed++;
      console.log(`${label} passed 0 failed 1  (${run.error})`);
      if (run.output) console.log(run.output.trim().slice(-3000).replace(/^/gm, "    "));
      continue;
    }
    const { passed, failed, skipped, own, problems } = evaluate(run.result);
    const zero = passed === 0;
    const bad = failed > 0 || problems.length > 0 || zero || Boolean(run.error);
    anyFailed ||= bad;
    totalPassed += passed;
    totalFailed += failed + (failed === 0 && bad ? 1 : 0);
    const seconds = `${((Date.now() - runStarted) / 1000).toFixed(1)}s`;
    const notes = [skipped ? `skipped ${skipped}` : "", zero ? "ran no test" : "", run.error ?? "", seconds].filter(Boolean);
    console.log(`${label} passed ${passed} failed ${failed}${notes.length ? `  (${notes.join("; ")})` : ""}`);
    for (const p of problems) console.log(`    ${p}`);
    for (const r of own) {
      if (r.state === "fail") console.log(`    FAIL ${r.file} > ${r.name}\n${String(r.error).replace(/^/gm, "        ")}`);
      else if (verbose) console.log(`    ${r.state} ${r.file} > ${r.name}`);
    }
    if ((bad || verbose) && run.output?.trim()) console.log(run.output.trim().slice(-3000).replace(/^/gm, "    | "));
  }
  if (setupFailed) totalFailed++;
  console.log(`runtimes took ${((Date.now() - started) / 1000).toFixed(1)}s`);
  console.log(`${totalPassed} passed, ${totalFailed} failed`);
  process.exit(anyFailed ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
