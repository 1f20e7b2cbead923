/**
 * The kit can fail: a nested vitest runs the kit against deliberately broken providers
 * (`self-test/mutants.ts`) and this test checks which stable ids fail and which are skipped.
 */
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createVitest } from "vitest/node";
import { sourceConditions } from "../../../../vitest.shared.ts";

interface Outcome {
  readonly failed: Map<string, string[]>;
  readonly skipped: Map<string, string[]>;
}

/** Swallows the nested run's output: the failures it reports are the expected ones. */
const sink = () => new Writable({ write: (_chunk, _encoding, done) => done() });

async function runMutants(): Promise<Outcome> {
  const root = fileURLToPath(new URL("./self-test/", import.meta.url));
  const vitest = await createVitest(
    "test",
    { config: false, root, include: ["mutants.kit.ts"], watch: false, reporters: [], silent: true },
    { ssr: { resolve: { conditions: sourceConditions } }, resolve: { conditions: sourceConditions } },
    { stdout: sink(), stderr: sink() },
  );
  try {
    await vitest.start();
    const failed = new Map<string, string[]>();
    const skipped = new Map<string, string[]>();
    for (const module of vitest.state.getTestModules()) {
      for (const test of module.children.allTests()) {
        const suite = test.fullName.split(" > ")[0]!.replace("calipso conformance: ", "");
        const id = /^\[([a-z]+\/[a-zA-Z]+-\d+)\]/.exec(test.name)?.[1] ?? test.name;
        const state = test.result().state;
        const bucket = state === "failed" ? failed : state === "skipped" ? skipped : undefined;
        if (bucket) bucket.set(suite, [...(bucket.get(suite) ?? []), state === "skipped" ? test.name : id].sort());
      }
    }
    return { failed, skipped };
  } finally {
    await vitest.close();
  }
}

describe("the conformance kit against broken providers", () => {
  let outcome: Promise<Outcome> | undefined;
  const result = () => (outcome ??= runMutants());

  it("fails exactly the expected ids for each mutant", async () => {
    const { failed } = await result();
    expect(Object.fromEntries(failed)).toEqual({
      // stop() that leaves the workload running
      "compute/kit-leaky-stop": ["lifecycle-04", "lifecycle-05", "lifecycle-06", "list-03", "restore-02", "restore-03"].map((id) => `compute/${id}`),
      // status() that throws NOT_FOUND for a workload that is gone
      "compute/kit-not-found-status": ["errors-01", "lifecycle-04", "lifecycle-06", "restore-02"].map((id) => `compute/${id}`),
      // start() that ignores its abort signal
      "compute/kit-ignores-abort": ["abort-01", "abort-02", "abort-03", "abort-04"].map((id) => `compute/${id}`),
      // access URL that carries the VNC password
      "desktop/kit-secret-in-url": ["desktop/access-02"],
      // "No user x" vs "Wrong password": user enumeration
      "auth/kit-enumerates-users": ["auth/password-03"],
      // check-then-insert admission
      "store/kit-racy-store": ["admission-01", "admission-02", "admission-03", "admission-04"].map((id) => `store/${id}`),
      // transaction() without a transaction
      "store/kit-no-rollback": ["store/transactions-02"],
      // favourites kept per experiment instead of per (user, experiment)
      "store/kit-global-favourites": ["store/experiments-07"],
    });
  }, 120_000);

  it("skips only for undeclared capabilities, with the reason in the title", async () => {
    const { skipped } = await result();
    const skip = (area: string, capability: string, ids: string[]) =>
      ids.map((id) => expect.stringMatching(new RegExp(`^\\[${area}/${id}\\] .*\\(skipped: capability "${capability}" not declared\\)$`)));
    expect(Object.fromEntries(skipped)).toEqual({
      "auth/kit-enumerates-users": [
        ...skip("auth", "federated", ["federated-01", "federated-02", "federated-03"]),
        ...skip("auth", "mayUseOwnResources", ["own-01"]),
        ...skip("auth", "redirect", ["redirect-01", "redirect-02"]),
      ],
      "compute/kit-no-progress": [...skip("compute", "progress", ["abort-04", "progress-01", "progress-02", "progress-03"])],
    });
  }, 120_000);
});
