/** @module Options of `describeStore()`, a fresh store per area, and the records the store suites use. */
import { afterAll, beforeAll } from "vitest";
import { TemplateSchema } from "@calipso/core";
import type { Instance, QuotaLimits, SourceExperiment, Store, Template, User } from "@calipso/core";
import type { z } from "zod";
import type { BaseKitOptions, Kit } from "../shared/kit.ts";
import { randomSuffix } from "../shared/kit.ts";

/** A store made for the kit, and how to throw it away. */
export interface StoreFixture {
  readonly store: Store;
  /** Drops what the store created (database, file); default: `store.close()`. */
  readonly cleanup?: () => Promise<void>;
}

/** Options of {@link describeStore}. */
export interface StoreKitOptions<S extends z.ZodType = z.ZodType> extends BaseKitOptions<"store", S> {
  /**
   * A fresh, empty, migrated store. Called once per area (users, experiments, admission, ...), so
   * areas never see each other's rows. Default: `instantiate(definition, config, ctx)`.
   */
  readonly create?: () => Promise<StoreFixture | Store>;
}

/** What the store suites share. */
export interface StoreHarness {
  readonly kit: Kit<"store">;
  /** Registers `beforeAll`/`afterAll` for a fresh store in the current `describe`; returns its getter. */
  useStore(): () => Store;
}

function isStore(value: StoreFixture | Store): value is Store {
  return "users" in value && "admitInstance" in value;
}

/** Creates the store harness. */
export function createStoreHarness(kit: Kit<"store">, options: StoreKitOptions): StoreHarness {
  const make = async (): Promise<StoreFixture> => {
    const made = options.create ? await options.create() : await kit.create();
    if (isStore(made)) return { store: made };
    return made;
  };
  return {
    kit,
    useStore() {
      let fixture: StoreFixture | undefined;
      beforeAll(async () => {
        fixture = await make();
      }, kit.timeoutMs);
      afterAll(async () => {
        if (!fixture) return;
        await (fixture.cleanup ? fixture.cleanup() : fixture.store.close());
      }, kit.timeoutMs);
      return () => {
        if (!fixture) throw new Error("calipso kit: the store is not created yet (beforeAll failed?)");
        return fixture.store;
      };
    },
  };
}

/** A date `offsetSec` from now, on a whole second (stores may keep only milliseconds or seconds). */
export function at(offsetSec = 0): Date {
  return new Date((Math.floor(Date.now() / 1000) + offsetSec) * 1000);
}

/** A unique, valid username. */
export function username(prefix = "kit"): string {
  return `${prefix}-${randomSuffix()}`;
}

/** Creates a user in the store. */
export function newUser(store: Store, name = username()): Promise<User> {
  return store.users.upsertFromIdentity({ username: name }, at());
}

/** A source experiment with one session and a dataset. */
export function sourceExperiment(proposalId: string, overrides: Partial<SourceExperiment> = {}): SourceExperiment {
  return {
    proposalId,
    title: `Kit experiment ${proposalId}`,
    sessions: [{ id: `${proposalId}-s1`, startsAt: at(-86_400), datasets: [{ path: `data/${proposalId}`, readOnly: true }] }],
    ...overrides,
  };
}

/** A pending instance of `owner`. */
export function newInstance(owner: string, overrides: Partial<Instance> = {}): Instance {
  return {
    id: crypto.randomUUID(),
    owner,
    template: "kit-template",
    state: "pending",
    resources: { cpu: 1, memoryMiB: 512 },
    createdAt: at(),
    ...overrides,
  };
}

/** Generous limits, with some replaced. */
export function limits(overrides: Partial<QuotaLimits> = {}): QuotaLimits {
  return { instances: 1000, cpu: 1000, memoryMiB: 1024 * 1024, storageGiB: 100_000, ...overrides };
}

/** A valid template (every default applied). */
export function template(name = `kit-${randomSuffix()}`, overrides: Partial<z.input<typeof TemplateSchema>> = {}): Template {
  return TemplateSchema.parse({
    name,
    title: `Kit template ${name}`,
    kind: "desktop",
    image: "busybox:latest",
    resources: { cpu: 1, memoryMiB: 512 },
    ...overrides,
  });
}

/** Settles every promise and counts fulfilled ones and rejections by AppError code. */
export async function tally(promises: readonly Promise<unknown>[]): Promise<{ ok: number; codes: Record<string, number> }> {
  const results = await Promise.allSettled(promises);
  const codes: Record<string, number> = {};
  let ok = 0;
  for (const r of results) {
    if (r.status === "fulfilled") ok++;
    else {
      const code = (r.reason as { code?: unknown })?.code;
      const key = typeof code === "string" ? code : `non-AppError: ${String(r.reason)}`;
      codes[key] = (codes[key] ?? 0) + 1;
    }
  }
  return { ok, codes };
}
