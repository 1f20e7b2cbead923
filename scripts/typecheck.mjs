#!/usr/bin/env node
// Type-checks every package and project: web-only sources (types: []) separately from their tests.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const projects = [];
for (const base of ["packages", "examples"]) {
  for (const dir of readdirSync(base)) {
    for (const file of ["tsconfig.json", "tsconfig.test.json"]) {
      if (existsSync(`${base}/${dir}/${file}`)) projects.push(`${base}/${dir}/${file}`);
    }
  }
}
for (const extra of ["test/tsconfig.json", "bench/tsconfig.json"]) if (existsSync(extra)) projects.push(extra);

let failed = 0;
for (const project of projects) {
  try {
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], { stdio: "inherit" });
    console.log(`typecheck ok   ${project}`);
  } catch {
    failed++;
    console.log(`typecheck FAIL ${project}`);
  }
}
if (failed) {
  console.error(`${failed} of ${projects.length} projects failed to type-check`);
  process.exit(1);
}
