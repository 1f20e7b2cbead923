#!/usr/bin/env node
/** @module The `calipso` executable: runs the CLI; `serve` keeps running until SIGTERM/SIGINT. */
import { runCli } from "./cli.ts";

const { code, server } = await runCli(process.argv.slice(2));
if (server) {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping…\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
} else {
  process.exitCode = code;
}
