/**
 * @module A separate Node process for the multi-process tests. Protocol, one JSON line each way:
 * it answers `{"ready":true}` once loaded; on `{"migrate":true}` it opens the store with migrations
 * on and answers the outcome; on `{"batches":[…]}` it fires every admission of every batch at once
 * and answers the tally per batch (admitted, or the AppError code).
 */
import { createInterface } from "node:readline";
import { AppError, createSecrets } from "@calipso/core";
import type { QuotaLimits, Resources } from "@calipso/core";
import { createSqlStore } from "../store.ts";
import type { SqlStore, SqlStoreOptions } from "../store.ts";
import { instanceFor } from "./fixtures.ts";

interface Job {
  readonly store: SqlStoreOptions;
  readonly secretKey: string;
}
type Batch = { owner: string; count: number; limits: QuotaLimits; resources: Resources };

const job = JSON.parse(process.argv[2]!) as Job;
const secrets = await createSecrets(job.secretKey);
let store: SqlStore | undefined;
const answer = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

answer({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  const message = JSON.parse(line) as { migrate?: boolean; batches?: Batch[] };
  if (message.migrate) {
    const outcome = await createSqlStore({ ...job.store, secrets, migrate: true }).then(
      (s) => {
        store = s;
        return "ok";
      },
      (e: unknown) => (AppError.is(e) ? `${e.code}: ${e.detail}` : String(e)),
    );
    answer({ outcome });
  } else if (message.batches) {
    store ??= await createSqlStore({ ...job.store, secrets, migrate: false });
    const s = store;
    const outcomes = await Promise.all(
      message.batches.map((b) => Promise.allSettled(Array.from({ length: b.count }, () => s.admitInstance(instanceFor(b.owner, b.resources), b.limits)))),
    );
    answer({
      codes: outcomes.map((results) => {
        const tally: Record<string, number> = {};
        for (const r of results) {
          const key = r.status === "fulfilled" ? "admitted" : AppError.is(r.reason) ? r.reason.code : "raw-error";
          tally[key] = (tally[key] ?? 0) + 1;
        }
        return tally;
      }),
    });
  }
}
await store?.close();
