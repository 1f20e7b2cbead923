/**
 * @module Enforces the dependency rule (docs/guide/architecture.md §1): core and sdk use Web-standard APIs only,
 * no package deep-imports another, adapters never import each other or the server. Each guard also has a negative
 * control, so a guard that stopped working would fail here instead of passing silently.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const packagesDir = join(root, "packages");

const ADAPTERS = ["compute-docker", "compute-kubernetes", "desktop-guacamole", "facility-http", "auth-oidc", "store-sql"];
/** Which workspace packages each package may import (besides itself). */
const ALLOWED_WORKSPACE_DEPS: Record<string, readonly string[]> = {
  core: [],
  sdk: ["core"],
  server: ["core", "sdk", ...ADAPTERS],
  ...Object.fromEntries(ADAPTERS.map((a) => [a, ["core", "sdk"]])),
};

const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));
const NODE_GLOBALS = new Set(["process", "Buffer", "require", "__dirname", "__filename"]);

function sourceFiles(dir: string): string[] {
  let out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(sourceFiles(path));
    else if (/\.(c|m)?tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const packageNames = readdirSync(packagesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function packageJson(pkg: string): { name: string; exports?: Record<string, unknown>; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; optionalDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(packagesDir, pkg, "package.json"), "utf8"));
}

/** Every module specifier in a file: static imports/exports, `import()`, `require()` and `import x = require()`. */
export function moduleSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Uses of Node-only globals (`process`, `Buffer`, `require`, `__dirname`, …), also through `globalThis.x`. */
export function nodeGlobalUses(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const where = (node: ts.Node) => `${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text) && isReference(node)) {
      found.push(`${node.text} (line ${where(node)})`);
    }
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "globalThis" &&
      NODE_GLOBALS.has(node.name.text)
    ) {
      found.push(`globalThis.${node.name.text} (line ${where(node)})`);
    }
    if (
      ts.isElementAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "globalThis" &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      NODE_GLOBALS.has(node.argumentExpression.text)
    ) {
      found.push(`globalThis["${node.argumentExpression.text}"] (line ${where(node)})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** An identifier that names a value in scope (not a property name, a member declaration or an import alias). */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent)) && parent.name === node) return false;
  if ((ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent)) && parent.name === node) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if (ts.isEnumMember(parent) && parent.name === node) return false;
  if (ts.isJsxAttribute(parent)) return false;
  // A local declaration of the same name (a parameter `module`, a variable `global`) is not the Node global.
  if ((ts.isParameter(parent) || ts.isVariableDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === node) return false;
  if (ts.isShorthandPropertyAssignment(parent)) return true;
  return !isShadowed(node);
}

/** True when the name is declared in an enclosing scope of the file (parameter, variable, function). */
function isShadowed(node: ts.Identifier): boolean {
  for (let scope: ts.Node | undefined = node.parent; scope; scope = scope.parent) {
    let declared = false;
    const check = (n: ts.Node): void => {
      if (declared) return;
      if ((ts.isParameter(n) || ts.isVariableDeclaration(n) || ts.isFunctionDeclaration(n)) && n.name && ts.isIdentifier(n.name) && n.name.text === node.text) {
        declared = true;
        return;
      }
      // Do not look into nested functions: their declarations do not reach us.
      if (n !== scope && (ts.isFunctionLike(n) || ts.isClassLike(n))) return;
      ts.forEachChild(n, check);
    };
    if (ts.isFunctionLike(scope) || ts.isSourceFile(scope) || ts.isBlock(scope)) {
      ts.forEachChild(scope, check);
      if (declared) return true;
    }
  }
  return false;
}

export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:") || NODE_BUILTINS.has(specifier) || (!specifier.startsWith("@") && NODE_BUILTINS.has(specifier.split("/")[0]!));
}

/** The web-only rule for one file's text: the list of violations (empty when clean). */
export function webOnlyViolations(fileName: string, source: string): string[] {
  const out = moduleSpecifiers(source)
    .filter(isNodeBuiltin)
    .map((s) => `imports "${s}"`);
  return out.concat(nodeGlobalUses(fileName, source).map((u) => `uses ${u}`));
}

/** The dependency rule for one package file: deep imports, relative escapes, forbidden workspace packages. */
/** Workspace packages by npm name (`@calipso/<x>`): the packages/* ones and the examples (test fixtures, apps). */
const workspace = new Map<string, { dir: string; kind: "package" | "example"; short: string; exports: string[] }>();
for (const [base, kind] of [["packages", "package"], ["examples", "example"]] as const) {
  for (const entry of readdirSync(join(root, base), { withFileTypes: true })) {
    const file = join(root, base, entry.name, "package.json");
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, "utf8")) as { name: string; exports?: Record<string, unknown> };
    workspace.set(json.name, { dir: join(root, base, entry.name), kind, short: entry.name, exports: Object.keys(json.exports ?? { ".": true }) });
  }
}

/** Test code: `*.test.ts`, and anything under a `test/` folder of a package (`src/testing/` is a published kit, not test code). */
export function isTestFile(file: string): boolean {
  return /\.test\.(c|m)?tsx?$/.test(file) || file.split(sep).some((part) => part === "test" || part === "__tests__");
}

/**
 * The dependency rule for one file of package `pkg` (a folder name under packages/): relative paths stay inside the
 * package, workspace packages are imported through their `exports` only, and only the allowed ones. Test files may
 * also use core and sdk (the kits) and the examples (reference servers as fixtures) — never another adapter.
 */
export function dependencyViolations(pkg: string, file: string, source: string, pkgDir = join(packagesDir, pkg)): string[] {
  const out: string[] = [];
  const isExample = pkgDir.startsWith(join(root, "examples") + sep);
  const test = isTestFile(file);
  for (const specifier of moduleSpecifiers(source)) {
    if (specifier.startsWith(".")) {
      const target = resolve(dirname(file), specifier);
      if (target === pkgDir || target.startsWith(pkgDir + sep)) continue;
      // A published file must not reach outside its package; a test may use the repository's own tooling
      // (e.g. vitest.shared.ts), but never the inside of another package.
      const intoPackage = [...workspace.values()].some((w) => target === w.dir || target.startsWith(w.dir + sep));
      const insideRepo = target.startsWith(root + sep);
      if (!test || intoPackage || !insideRepo) out.push(`"${specifier}" leaves the package (${relative(root, target)})`);
      continue;
    }
    if (specifier.startsWith("/")) {
      out.push(`"${specifier}" is an absolute path`);
      continue;
    }
    const match = /^(@calipso\/[^/]+)(\/.*)?$/.exec(specifier);
    if (!match) continue;
    const [, name, subpath] = match as unknown as [string, string, string | undefined];
    const target = workspace.get(name);
    if (!target) {
      out.push(`imports "${specifier}", which is no workspace package`);
      continue;
    }
    if (!target.exports.includes(subpath ? `.${subpath}` : ".")) out.push(`deep import "${specifier}" (not in ${name}'s exports)`);
    if (target.dir === pkgDir) continue;
    // An example is an application: it may use any package, through its exports.
    const allowed =
      isExample ||
      (target.kind === "package"
        ? (ALLOWED_WORKSPACE_DEPS[pkg] ?? []).includes(target.short) || (test && ["core", "sdk"].includes(target.short))
        : test);
    if (!allowed) out.push(`imports ${name}, which ${test ? "a test of " : ""}${pkg} may not depend on`);
  }
  return out;
}

function report(violations: Record<string, string[]>): string {
  return Object.entries(violations)
    .filter(([, v]) => v.length)
    .map(([file, v]) => `${file}:\n  ${v.join("\n  ")}`)
    .join("\n");
}

describe("web-only packages (core, sdk)", () => {
  const webOnlyFiles = ["core", "sdk"].flatMap((pkg) =>
    sourceFiles(join(packagesDir, pkg, "src")).filter(
      (f) => !/\.test\.tsx?$/.test(f) && !relative(join(packagesDir, "sdk", "src"), f).startsWith(`testing${sep}`),
    ),
  );

  it("[boundaries/web-01] no file of core or sdk (except sdk's vitest-based kit) uses a Node built-in or global", () => {
    expect(webOnlyFiles.length).toBeGreaterThan(10);
    const violations: Record<string, string[]> = {};
    for (const file of webOnlyFiles) violations[relative(root, file)] = webOnlyViolations(file, readFileSync(file, "utf8"));
    expect(report(violations)).toBe("");
  });

  it("[boundaries/web-07] the server's createApp() side (packages/server/src outside node/) uses no Node built-in or global", () => {
    const serverSrc = join(packagesDir, "server", "src");
    const files = sourceFiles(serverSrc).filter((f) => !/\.test\.tsx?$/.test(f) && !relative(serverSrc, f).startsWith(`node${sep}`));
    expect(files.length).toBeGreaterThan(5);
    const violations: Record<string, string[]> = {};
    for (const file of files) violations[relative(root, file)] = webOnlyViolations(file, readFileSync(file, "utf8"));
    expect(report(violations)).toBe("");
  });

  it("[boundaries/web-02] the scan catches node:* and bare built-in imports and Node globals (negative control)", () => {
    const bad = [
      'import { createHash } from "node:crypto";',
      'import fs from "fs";',
      'export { join } from "path/posix";',
      'const os = await import("os");',
      "const x = process.env.SECRET;",
      'const b = Buffer.from("x");',
      'const r = require("zod");',
      "const d = __dirname;",
      "const p = globalThis.process;",
      "if (typeof process !== 'undefined') {}",
    ];
    for (const line of bad) expect(webOnlyViolations("bad.ts", line), line).not.toEqual([]);
    const good = [
      'import { z } from "zod";',
      "const o = { process: 1, Buffer: 2 }; o.process; o.Buffer;",
      "function f(process: string) { return process; }",
      'const s = "process.env in a string";',
      "// process.env in a comment",
      "class A { require() {} }",
      'import { sha256 } from "@oslojs/crypto/sha2";',
    ];
    for (const line of good) expect(webOnlyViolations("good.ts", line), line).toEqual([]);
  });

  it("[boundaries/web-03] core and sdk type-check with types: [] and lib ES2023 + WebWorker", { timeout: 240_000 }, async () => {
    const tsc = join(root, "node_modules/typescript/bin/tsc");
    const projects = ["packages/core/tsconfig.json", "packages/sdk/tsconfig.json"];
    await Promise.all(projects.map(async (project) => {
      const config = ts.getParsedCommandLineOfConfigFile(join(root, project), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
      expect(config?.options.types, project).toEqual([]);
      expect(config?.options.lib?.some((l) => /dom\.d\.ts$/i.test(l)), `${project} must not include the DOM lib`).toBe(false);
      const result = await promisify(execFile)(process.execPath, [tsc, "-p", project, "--noEmit"], { cwd: root }).then(
        () => "",
        (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}` || String(error),
      );
      expect(result, `tsc -p ${project}`).toBe("");
    }));
  });

  it("[boundaries/web-04] core's compiler options reject process.env, Buffer and node:crypto (negative control)", () => {
    const config = ts.getParsedCommandLineOfConfigFile(join(packagesDir, "core/tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    expect(config).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "calipso-boundaries-"));
    try {
      writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
      const cases: Array<[string, number[]]> = [
        ["export const secret = process.env.SECRET;", [2580, 2591]],
        ['export const bytes = Buffer.from("x");', [2580, 2591]],
        ['import { createHash } from "node:crypto"; export { createHash };', [2307]],
        ["export const here = __dirname;", [2304]],
        // A Web-only file compiles cleanly under the same options, so the codes above are not noise.
        ['export const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("x")); export const u = new URL("https://x");', []],
      ];
      const files = cases.map(([code], i) => {
        const file = join(dir, `probe${i}.ts`);
        writeFileSync(file, code);
        return file;
      });
      const program = ts.createProgram(files, { ...config!.options, noEmit: true });
      cases.forEach(([code, expected], i) => {
        const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(files[i]!));
        const codes = diagnostics.map((d) => d.code);
        if (expected.length === 0) {
          expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")), code).toEqual([]);
        } else {
          expect(codes.some((c) => expected.includes(c)), `${code} → ${codes.join(",") || "no error"}`).toBe(true);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("[boundaries/web-05] core's, sdk's and the server's web entry points bundle for platform neutral with no Node built-in", async () => {
    const entries = [
      "packages/core/src/index.ts",
      "packages/core/src/testing/index.ts",
      "packages/sdk/src/index.ts",
      "packages/server/src/index.ts",
    ];
    for (const entry of entries) {
      const errors = await esbuild
        .build({
          absWorkingDir: root,
          entryPoints: [entry],
          bundle: true,
          write: false,
          format: "esm",
          platform: "neutral",
          mainFields: ["module", "main"],
          conditions: ["@calipso/source"],
          logLevel: "silent",
        })
        .then(
          () => [],
          (error: { errors?: Array<{ text: string; location?: { file: string } | null }> }) =>
            (error.errors ?? [{ text: String(error) }]).map((e) => `${e.location?.file ?? ""}: ${e.text}`),
        );
      expect(errors, entry).toEqual([]);
    }
  });

  it("[boundaries/web-06] a neutral bundle fails on a Node built-in (negative control)", async () => {
    const failure = await esbuild
      .build({
        stdin: { contents: 'import { createHash } from "node:crypto"; console.log(createHash);', resolveDir: root },
        bundle: true,
        write: false,
        platform: "neutral",
        logLevel: "silent",
      })
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(failure).toMatch(/Could not resolve "node:crypto"/);
  });
});

describe("dependency rule", () => {
  it("[boundaries/deps-01] every package is known to the rule", () => {
    expect(packageNames.filter((p) => !(p in ALLOWED_WORKSPACE_DEPS))).toEqual([]);
  });

  it("[boundaries/deps-02] no deep import, no relative path out of a package, no forbidden workspace import (packages and examples)", () => {
    const violations: Record<string, string[]> = {};
    let files = 0;
    for (const pkg of packageNames) {
      for (const file of sourceFiles(join(packagesDir, pkg))) {
        if (/(tsup|vitest)\.config\.ts$/.test(file)) continue;
        files++;
        violations[relative(root, file)] = dependencyViolations(pkg, file, readFileSync(file, "utf8"));
      }
    }
    for (const example of [...workspace.values()].filter((w) => w.kind === "example")) {
      for (const file of sourceFiles(example.dir)) {
        if (/(tsup|vitest)\.config\.ts$/.test(file)) continue;
        files++;
        violations[relative(root, file)] = dependencyViolations(example.short, file, readFileSync(file, "utf8"), example.dir);
      }
    }
    expect(files).toBeGreaterThan(20);
    expect(report(violations)).toBe("");
  });

  it("[boundaries/deps-03] package.json dependencies follow the same rule (adapters never on adapters or server)", () => {
    const violations: string[] = [];
    for (const pkg of packageNames) {
      const json = packageJson(pkg);
      const runtime = { ...json.dependencies, ...json.peerDependencies, ...json.optionalDependencies };
      const check = (dep: string, dev: boolean) => {
        const target = workspace.get(dep);
        if (!dep.startsWith("@calipso/")) return;
        if (!target) return violations.push(`${pkg} depends on ${dep}, which is no workspace package`);
        const allowed =
          target.kind === "package"
            ? (ALLOWED_WORKSPACE_DEPS[pkg] ?? []).includes(target.short) || (dev && ["core", "sdk"].includes(target.short))
            : dev;
        if (!allowed) violations.push(`${pkg} ${dev ? "devDepends" : "depends"} on ${dep}`);
      };
      for (const dep of Object.keys(runtime)) check(dep, false);
      for (const dep of Object.keys(json.devDependencies ?? {})) check(dep, true);
    }
    expect(violations).toEqual([]);
  });

  it("[boundaries/deps-04] the rule catches deep, escaping and cross-adapter imports (negative control)", () => {
    const file = join(packagesDir, "compute-docker/src/x.ts");
    const cases = [
      'import { x } from "@calipso/core/src/errors.ts";',
      'import { x } from "../../core/src/errors.ts";',
      'import { x } from "@calipso/compute-kubernetes";',
      'import { x } from "@calipso/server";',
      'export * from "@calipso/store-sql";',
      'const m = await import("@calipso/desktop-guacamole");',
    ];
    for (const code of cases) expect(dependencyViolations("compute-docker", file, code), code).not.toEqual([]);
    expect(dependencyViolations("core", join(packagesDir, "core/src/x.ts"), 'import { y } from "@calipso/sdk";')).not.toEqual([]);
    const allowed = [
      'import { AppError } from "@calipso/core";',
      'import { runComputeConformance } from "@calipso/sdk/testing";',
      'import { createMemoryStore } from "@calipso/core/testing";',
      'import { helper } from "./helper.ts";',
      'import Docker from "dockerode";',
    ];
    for (const code of allowed) expect(dependencyViolations("compute-docker", file, code), code).toEqual([]);
    // Tests may use the kits and the example servers, but still never another adapter or the server.
    const testFile = join(packagesDir, "compute-docker/src/x.test.ts");
    expect(dependencyViolations("compute-docker", testFile, 'import { x } from "@calipso/compute-kubernetes";')).not.toEqual([]);
    expect(dependencyViolations("compute-docker", testFile, 'import { x } from "@calipso/server";')).not.toEqual([]);
    expect(dependencyViolations("compute-docker", testFile, 'import { x } from "@calipso/example-user-office";')).toEqual([]);
    expect(dependencyViolations("core", join(packagesDir, "core/src/x.test.ts"), 'import { y } from "@calipso/sdk/testing";')).toEqual([]);
    expect(dependencyViolations("core", join(packagesDir, "core/src/x.ts"), 'import { y } from "@calipso/example-user-office";')).not.toEqual([]);
    expect(dependencyViolations("compute-docker", testFile, 'import { s } from "../../../vitest.shared.ts";')).toEqual([]);
    expect(dependencyViolations("compute-docker", testFile, 'import { s } from "../../store-sql/src/x.ts";')).not.toEqual([]);
    expect(dependencyViolations("compute-docker", file, 'import { s } from "../../../vitest.shared.ts";')).not.toEqual([]);
    // Examples may use any package, but only through its exports.
    const example = join(root, "examples/some-app");
    expect(dependencyViolations("some-app", join(example, "src/x.ts"), 'import { x } from "@calipso/compute-docker";', example)).toEqual([]);
    expect(dependencyViolations("some-app", join(example, "src/x.ts"), 'import { x } from "@calipso/core/src/errors.ts";', example)).not.toEqual([]);
    expect(dependencyViolations("some-app", join(example, "src/x.ts"), 'import { x } from "../../../packages/core/src/errors.ts";', example)).not.toEqual([]);
  });
});
