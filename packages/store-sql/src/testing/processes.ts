/** @module Drives several copies of `child.ts` in lock-step: each step is sent to all, then every answer awaited. */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** A group of child processes answering one JSON line per step. */
export interface ChildGroup {
  /** Sends `message` to every child at once and returns each child's next answer. */
  step(message: object): Promise<unknown[]>;
  /** Waits for every child to exit (after its last step). */
  exit(): Promise<void>;
}

function lineReader(child: ChildProcessWithoutNullStreams, timeoutMs: number, stderr: () => string): () => Promise<unknown> {
  const queue: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => (waiting.length ? waiting.shift()!(line) : queue.push(line)));
  child.on("exit", () => {
    while (waiting.length) waiting.shift()!(null);
  });
  return () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not answer in ${timeoutMs} ms; stderr: ${stderr().slice(-2000)}`)), timeoutMs);
      const take = (line: string | null) => {
        clearTimeout(timer);
        if (line === null) reject(new Error(`child exited early; stderr: ${stderr().slice(-2000)}`));
        else resolve(JSON.parse(line));
      };
      if (queue.length) take(queue.shift()!);
      else waiting.push(take);
    });
}

/** Starts `count` children with `job` and waits until every one has loaded and answered "ready". */
export async function startChildren(count: number, job: object, timeoutMs = 45_000): Promise<ChildGroup> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ["--conditions=@calipso/source", "--import", "tsx", CHILD, JSON.stringify(job)], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] }),
  );
  const readers = children.map((child) => {
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    return lineReader(child, timeoutMs, () => err);
  });
  const exits = children.map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.on("exit", () => resolve()))));
  try {
    await Promise.all(readers.map((read) => read()));
  } catch (error) {
    for (const c of children) c.kill("SIGKILL");
    throw error;
  }
  return {
    async step(message) {
      const answers = readers.map((read) => read());
      for (const child of children) child.stdin.write(`${JSON.stringify(message)}\n`);
      try {
        return await Promise.all(answers);
      } catch (error) {
        for (const c of children) c.kill("SIGKILL");
        throw error;
      }
    },
    async exit() {
      for (const child of children) child.stdin.end();
      await Promise.all(exits);
    },
  };
}
