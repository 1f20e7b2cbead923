#!/usr/bin/env node
// Runs every benchmark under bench/ (or the ones named) one after the other, with the workspace
// sources resolved (no build needed). Benchmarks print their own numbers and ratios; they never
// fail a build. Usage: npm run bench [-- store api tunnel compute-docker]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const wanted = process.argv.slice(2);
const all = readdirSync("bench", { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`bench/${d.name}/index.ts`))
  .map((d) => d.name)
  .sort();
const chosen = wanted.length ? all.filter((b) => wanted.includes(b)) : all;
for (const name of wanted) if (!all.includes(name)) console.error(`no benchmark bench/${name}/index.ts`);
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== bench/${name}`);
  const r = spawnSync(process.execPath, ["--conditions=@calipso/source", "--import", "tsx", `bench/${name}/index.ts`], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${name} exited with ${r.status ?? r.signal}`);
  }
}
process.exit(failed ? 1 : 0);
