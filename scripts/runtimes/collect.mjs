/**
 * @module Finds the runtime-neutral test files of `@calipso/core` and `@calipso/sdk` and bundles them.
 *
 * A test file is runtime-neutral unless a static scan finds something only Node (or only vitest's Node host) offers:
 * a `node:*` or bare built-in import, `process`/`Buffer`/`require`/`__dirname`, module mocking, fake timers,
 * snapshots or env stubs. A file can also opt out explicitly with a comment `@calipso-runtimes node-only: <reason>`.
 * Excluded files still run under vitest on Node; the reason is printed by `scripts/test-runtimes.mjs`.
 */
import { builtinModules } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import * as esbuild from "esbuild";

/** Where runtime-neutral tests live; `CALIPSO_RUNTIME_TEST_ROOTS` (comma-separated) overrides it to try the runner. */
export const TEST_ROOTS = globalThis.process?.env.CALIPSO_RUNTIME_TEST_ROOTS?.split(",") ?? ["packages/core/src", "packages/sdk/src"];

const builtins = new Set(builtinModules.filter((m) => !m.startsWith("_")));

/** Patterns that make a test file Node-only (or need vitest's Node host), with the reason printed for each. */
const NODE_ONLY = [
  [/\bfrom\s+["']node:[^"']+["']|\bimport\s*\(\s*["']node:|\bimport\s+["']node:/, "imports a node:* module"],
  [/(?<![\w$.'"`])process\??\.[A-Za-z_]/, "uses process"],
  [/(?<![\w$.'"`])Buffer\??\.[A-Za-z_]|\bnew\s+Buffer\b/, "uses Buffer"],
  [/(?<![\w$.'"`])require\s*\(/, "uses require()"],
  [/\b__dirname\b|\b__filename\b/, "uses __dirname/__filename"],
  [/\bvi\.(mock|doMock|hoisted|importActual|importMock)\s*\(/, "uses vitest module mocking"],
  [/\bvi\.(useFakeTimers|advanceTimersByTime|advanceTimersByTimeAsync|runAllTimers|runAllTimersAsync|setSystemTime)\s*\(/, "uses vitest fake timers"],
  [/\bvi\.stubEnv\s*\(/, "uses vi.stubEnv"],
  [/\.toMatch(Inline|File)?Snapshot\s*\(|\.toThrowErrorMatching(Inline)?Snapshot\s*\(/, "uses snapshots"],
  [/import\s*\{[^}]*\binject\b[^}]*\}\s*from\s*["']vitest["']/, "uses inject() (global setup)"],
];

const MARKER = /@calipso-runtimes\s+node-only:\s*([^\n*]+)/;

function walk(dir) {
  let out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(walk(path));
    else if (entry.isFile() && entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

function bareBuiltinImport(source) {
  const specifiers = source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g);
  for (const [, specifier] of specifiers) {
    const name = specifier.split("/")[0];
    if (builtins.has(specifier) || (!specifier.startsWith(".") && !specifier.startsWith("@") && builtins.has(name))) {
      return specifier;
    }
  }
  return null;
}

/** Why `source` cannot run on every runtime, or null when it can. */
export function nodeOnlyReason(source) {
  const marker = MARKER.exec(source);
  if (marker) return `marked node-only: ${marker[1].trim()}`;
  const builtin = bareBuiltinImport(source);
  if (builtin) return `imports the Node built-in "${builtin}"`;
  for (const [pattern, reason] of NODE_ONLY) if (pattern.test(source)) return reason;
  return null;
}

/** Returns `{ included: string[], excluded: {file, reason}[] }`, paths relative to `root`. */
export function collectTestFiles(root) {
  const included = [];
  const excluded = [];
  for (const base of TEST_ROOTS) {
    const dir = resolve(root, base);
    let files = [];
    try {
      files = walk(dir).sort();
    } catch {
      continue;
    }
    for (const file of files) {
      const rel = relative(root, file);
      const reason = nodeOnlyReason(readFileSync(file, "utf8"));
      if (reason) excluded.push({ file: rel, reason });
      else included.push(rel);
    }
  }
  return { included, excluded };
}

/** esbuild plugin: `vitest` → the runtime-neutral shim. */
function vitestShim(shimPath) {
  return {
    name: "vitest-shim",
    setup(build) {
      build.onResolve({ filter: /^vitest$/ }, () => ({ path: shimPath }));
    },
  };
}

export function buildOptions(root, shimPath) {
  return {
    absWorkingDir: root,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["@calipso/source", "worker", "browser"],
    plugins: [vitestShim(shimPath)],
    logLevel: "silent",
    sourcemap: false,
    legalComments: "none",
  };
}

/**
 * Bundles each candidate alone first: a file whose imports reach a Node built-in is Node-only after all (its reason
 * names the unresolved module); any other build error is a real error and is returned as such.
 */
export async function checkBundles(root, shimPath, files) {
  const ok = [];
  const excluded = [];
  const errors = [];
  await Promise.all(
    files.map(async (file) => {
      try {
        await esbuild.build({ ...buildOptions(root, shimPath), entryPoints: [file], write: false });
        ok.push(file);
      } catch (error) {
        const messages = error.errors ?? [{ text: String(error) }];
        const unresolved = messages
          .map((m) => /Could not resolve "([^"]+)"/.exec(m.text)?.[1])
          .filter((s) => s && (s.startsWith("node:") || builtins.has(s) || builtins.has(s.split("/")[0])));
        if (unresolved.length === messages.length) {
          excluded.push({ file, reason: `reaches the Node built-in "${unresolved[0]}" through its imports` });
        } else {
          errors.push({ file, error: messages.map((m) => `${m.location?.file ?? ""}:${m.location?.line ?? ""} ${m.text}`).join("\n") });
        }
      }
    }),
  );
  ok.sort();
  return { ok, excluded, errors };
}

/** Writes the entry that loads each file into its own root suite, and bundles it for `kind` ("cli" | "worker"). */
export async function bundle(root, shimPath, files, outFile, kind, quietFiles = []) {
  const loaders = files
    .map((f) => `  [${JSON.stringify(f)}, () => import(${JSON.stringify(resolve(root, f))}), { quiet: ${quietFiles.includes(f)} }],`)
    .join("\n");
  const entry =
    kind === "worker"
      ? `import { __runFiles } from ${JSON.stringify(shimPath)};
const files = [\n${loaders}\n];
export default {
  async fetch() {
    return Response.json(await __runFiles(files));
  },
};\n`
      : `import { __runFiles } from ${JSON.stringify(shimPath)};
const files = [\n${loaders}\n];
const result = await __runFiles(files);
console.log("@@calipso-runtimes@@" + JSON.stringify(result));
// Leave no test handle keeping the runtime alive.
if (typeof Deno !== "undefined") Deno.exit(0);
else globalThis.process?.exit?.(0);\n`;
  await esbuild.build({
    ...buildOptions(root, shimPath),
    stdin: { contents: entry, resolveDir: root, sourcefile: `runtimes-${kind}-entry.mjs`, loader: "js" },
    outfile: outFile,
    write: true,
  });
}
