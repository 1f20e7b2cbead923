/**
 * @module Entry of the tunnel benchmark: runs `run.ts` with the `@calipso/source` export
 * condition, so the workspace packages load from their TypeScript sources without a build.
 *
 * Run: npx tsx bench/tunnel/index.ts   (env: BENCH_FRAMES, BENCH_ROUNDS)
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const run = fileURLToPath(new URL("./run.ts", import.meta.url));
const result = spawnSync(process.execPath, [...process.execArgv, "--conditions=@calipso/source", run], { stdio: "inherit" });
process.exit(result.status ?? 1);
