/** @module Runs several copies of `child.ts` at once, releasing them together. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** Starts one process per job, waits until all say "ready", sends "go", and returns each one's JSON. */
export async function runTogether(jobs: readonly object[], timeoutMs = 45_000): Promise<unknown[]> {
  const children = jobs.map((job) =>
    spawn(process.execPath, ["--conditions=@calipso/source", "--import", "tsx", CHILD, JSON.stringify(job)], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] }),
  );
  const outputs = children.map(
    (child) =>
      new Promise<{ ready: Promise<void>; result: Promise<unknown> }>((resolveOuter) => {
        let out = "";
        let err = "";
        let markReady!: () => void;
        const ready = new Promise<void>((r) => (markReady = r));
        const result = new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`child timed out; stderr: ${err.slice(-2000)}`));
          }, timeoutMs);
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            if (out.includes("ready\n")) markReady();
          });
          child.stderr.on("data", (d: Buffer) => (err += d.toString()));
          child.on("exit", (code) => {
            clearTimeout(timer);
            const last = out.trim().split("\n").pop() ?? "";
            if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last));
            else reject(new Error(`child exited ${code}; stderr: ${err.slice(-2000)}`));
          });
        });
        result.catch(() => markReady());
        resolveOuter({ ready, result });
      }),
  );
  const handles = await Promise.all(outputs);
  await Promise.all(handles.map((h) => h.ready));
  for (const child of children) child.stdin.write("go\n");
  return Promise.all(handles.map((h) => h.result));
}
