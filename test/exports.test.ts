/**
 * @module Every package's `exports` map is consistent: sources exist and come first (`@calipso/source`), the
 * published `types`/`default` paths are what tsup's entries produce, and, once built, those files exist.
 * A mismatch here means a package that works in the workspace but breaks for anyone who installs it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const packagesDir = join(root, "packages");

interface PackageJson {
  name: string;
  type?: string;
  engines?: { node?: string };
  files?: string[];
  exports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string> | string;
}

const packages = readdirSync(packagesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(packagesDir, e.name, "package.json")))
  .map((e) => e.name)
  .sort();

function readJson(pkg: string): PackageJson {
  return JSON.parse(readFileSync(join(packagesDir, pkg, "package.json"), "utf8")) as PackageJson;
}

/**
 * Whether `dist/` was built after the last change to package.json and tsup.config.ts: only then must every
 * published file exist (CI builds before it tests; a stale local dist is not this test's business).
 */
function builtAfterConfig(pkg: string): boolean {
  const dist = join(packagesDir, pkg, "dist");
  if (!existsSync(dist)) return false;
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
  const config = Math.max(...["package.json", "tsup.config.ts"].map((f) => statSync(join(packagesDir, pkg, f)).mtimeMs));
  return newest(dist) >= config;
}

/** tsup's output name (without extension) for each source entry, as tsup derives it. */
export function tsupOutputs(entry: string[] | Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(entry)) {
    for (const [name, source] of Object.entries(entry)) out.set(posix.normalize(source), name);
    return out;
  }
  // An array entry keeps paths relative to the entries' lowest common directory.
  const dirs = entry.map((e) => posix.dirname(posix.normalize(e)).split("/"));
  const common: string[] = [];
  for (let i = 0; dirs.every((d) => d[i] !== undefined && d[i] === dirs[0]![i]); i++) common.push(dirs[0]![i]!);
  for (const source of entry) {
    const rel = posix.relative(common.join("/"), posix.normalize(source));
    out.set(posix.normalize(source), rel.replace(/\.(c|m)?tsx?$/, ""));
  }
  return out;
}

describe("package exports", () => {
  it("[exports/00] tsup output names are derived as tsup does (control)", () => {
    expect([...tsupOutputs(["src/index.ts", "src/node/bin.ts"])]).toEqual([
      ["src/index.ts", "index"],
      ["src/node/bin.ts", "node/bin"],
    ]);
    expect([...tsupOutputs(["src/index.ts"])]).toEqual([["src/index.ts", "index"]]);
    expect([...tsupOutputs({ "tunnel/index": "./src/tunnel/index.ts" })]).toEqual([["src/tunnel/index.ts", "tunnel/index"]]);
  });

  it.each(packages)("[exports/01] %s: ESM, engines, files and an exports map whose every entry resolves", async (pkg) => {
    const json = readJson(pkg);
    const problems: string[] = [];
    if (json.name !== `@calipso/${pkg}`) problems.push(`name is ${json.name}, expected @calipso/${pkg}`);
    if (json.type !== "module") problems.push(`"type" must be "module"`);
    if (!json.engines?.node) problems.push(`"engines.node" is missing`);
    if (!json.files?.includes("dist")) problems.push(`"files" must include "dist"`);
    const tsup = ((await import(pathToFileURL(join(packagesDir, pkg, "tsup.config.ts")).href)) as { default: { entry: string[] | Record<string, string>; platform?: string } }).default;
    const outputs = tsupOutputs(tsup.entry);
    if (["core", "sdk"].includes(pkg) && tsup.platform !== "neutral") problems.push(`tsup must build ${pkg} with platform "neutral"`);
    const distFresh = builtAfterConfig(pkg);

    const exportsMap = json.exports ?? {};
    if (!exportsMap["."]) problems.push(`no "." export`);
    for (const [subpath, target] of Object.entries(exportsMap)) {
      if (subpath === "./package.json") continue;
      if (typeof target === "string") {
        problems.push(`${subpath}: a plain string export has no @calipso/source condition`);
        continue;
      }
      const keys = Object.keys(target);
      if (keys[0] !== "@calipso/source") problems.push(`${subpath}: "@calipso/source" must be the first condition (got ${keys.join(", ")})`);
      if (keys.at(-1) !== "default") problems.push(`${subpath}: "default" must be the last condition`);
      const source = target["@calipso/source"];
      if (!source || !existsSync(join(packagesDir, pkg, source))) {
        problems.push(`${subpath}: source ${source} does not exist`);
        continue;
      }
      const name = outputs.get(posix.normalize(source));
      if (!name) {
        problems.push(`${subpath}: ${source} is not a tsup entry, so the build would not produce it`);
        continue;
      }
      if (target["types"] !== `./dist/${name}.d.ts`) problems.push(`${subpath}: "types" is ${target["types"]}, tsup writes ./dist/${name}.d.ts`);
      if (target["default"] !== `./dist/${name}.js`) problems.push(`${subpath}: "default" is ${target["default"]}, tsup writes ./dist/${name}.js`);
      if (distFresh) {
        for (const built of [target["types"], target["default"]]) {
          if (built && !existsSync(join(packagesDir, pkg, built))) problems.push(`${subpath}: ${built} is missing after the build (stale dist? run npm run build)`);
        }
      }
    }
    const bins = typeof json.bin === "string" ? { [pkg]: json.bin } : (json.bin ?? {});
    for (const [binName, file] of Object.entries(bins)) {
      const produced = [...outputs.values()].some((n) => posix.normalize(file) === `dist/${n}.js`);
      if (!produced) problems.push(`bin ${binName} → ${file} is not produced by a tsup entry`);
    }
    expect(problems, relative(root, join(packagesDir, pkg, "package.json"))).toEqual([]);
  });
});
