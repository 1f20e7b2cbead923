/**
 * @module A separate Node process for the multi-process tests: opens the store, says "ready",
 * waits for "go" on stdin, then migrates or fires N concurrent admissions, and prints the outcome.
 */
import { createInterface } from "node:readline";
import { AppError, createSecrets } from "@calipso/core";
import type { QuotaLimits, Resources } from "@calipso/core";
import { createSqlStore } from "../store.ts";
import type { SqlStoreOptions } from "../store.ts";
import { instanceFor } from "./fixtures.ts";

interface Job {
  readonly store: SqlStoreOptions;
  readonly secretKey: string;
  readonly action: "migrate" | "admit";
  /** Admissions to fire, all at once: per batch, `count` launches for `owner`. */
  readonly batches?: readonly { owner: string; count: number; limits: QuotaLimits; resources: Resources }[];
}

const job = JSON.parse(process.argv[2]!) as Job;
const secrets = await createSecrets(job.secretKey);
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.once("line", () => resolve()));

if (job.action === "migrate") {
  process.stdout.write("ready\n");
  await go;
  const outcome = await createSqlStore({ ...job.store, secrets, migrate: true }).then(
    async (s) => {
      await s.close();
      return "ok";
    },
    (e: unknown) => (AppError.is(e) ? `${e.code}: ${e.detail}` : String(e)),
  );
  process.stdout.write(`${JSON.stringify({ outcome })}\n`);
} else {
  const store = await createSqlStore({ ...job.store, secrets, migrate: false });
  await store.ping();
  process.stdout.write("ready\n");
  await go;
  const outcomes = await Promise.all(
    job.batches!.map((b) => Promise.allSettled(Array.from({ length: b.count }, () => store.admitInstance(instanceFor(b.owner, b.resources), b.limits)))),
  );
  const codes = outcomes.map((results) => {
    const tally: Record<string, number> = {};
    for (const r of results) {
      const key = r.status === "fulfilled" ? "admitted" : AppError.is(r.reason) ? r.reason.code : "raw-error";
      tally[key] = (tally[key] ?? 0) + 1;
    }
    return tally;
  });
  await store.close();
  process.stdout.write(`${JSON.stringify({ codes })}\n`);
}
lines.close();
