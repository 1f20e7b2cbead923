/** @module Kit plumbing shared by every suite: stable ids in titles, capability skips, the provider under test. */
import { afterAll, it } from "vitest";
import { instantiate } from "@calipso/core";
import type { ProviderContext, ProviderDefinition, ProviderKind, ProviderKinds } from "@calipso/core";
import type { z } from "zod";
import { createTestContext } from "../context.ts";

/** Where a suite gets its {@link ProviderContext}: a value or a (possibly async) factory. */
export type ContextOption = ProviderContext | (() => ProviderContext | Promise<ProviderContext>);

/** An invalid config and the field its error must name. */
export interface InvalidConfig {
  readonly config: unknown;
  /** Dotted path of the offending field, e.g. `"socketPath"` or `"tls.ca"`: the error detail must name it. */
  readonly field: string;
}

/** What every `describe*()` of the kit takes. */
export interface BaseKitOptions<K extends ProviderKind, S extends z.ZodType = z.ZodType> {
  /** The definition under test, as `define*()` returned it. */
  readonly definition: ProviderDefinition<K, S>;
  /** A valid config for this environment (raw: defaults not applied). */
  readonly config: z.input<S>;
  /** Configs that must be refused with `INVALID_CONFIG` naming `field`. At least one. */
  readonly invalidConfigs: readonly InvalidConfig[];
  /** The context handed to `create()`; defaults to {@link createTestContext}. */
  readonly ctx?: ContextOption;
  /** Per-test timeout in milliseconds (default 30 000). */
  readonly timeoutMs?: number;
}

/** Resolved, suite-internal view of the options. */
export interface Kit<K extends ProviderKind> {
  readonly kind: K;
  readonly definition: ProviderDefinition<K>;
  readonly config: unknown;
  readonly invalidConfigs: readonly InvalidConfig[];
  readonly timeoutMs: number;
  /** The context (created once per suite). */
  context(): Promise<ProviderContext>;
  /** A new instance of the provider from the definition and config. */
  create(): Promise<ProviderKinds[K]["instance"]>;
  /** A new instance from the definition and another raw config. */
  createWith(rawConfig: unknown): Promise<ProviderKinds[K]["instance"]>;
  /** Registers a test with its stable id: `[kind/id] title`. */
  test(id: string, title: string, fn: () => Promise<void> | void, timeoutMs?: number): void;
  /** Like `test`, but skipped with the reason in the title when `capability` is not declared. */
  testIf(capability: string, declared: boolean, id: string, title: string, fn: () => Promise<void> | void, timeoutMs?: number): void;
}

/** Builds the {@link Kit} of one `describe*()` call; call it inside the suite's `describe`. */
export function createKit<K extends ProviderKind>(kind: K, options: BaseKitOptions<K>): Kit<K> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let ctx: Promise<ProviderContext> | undefined;
  const context = () =>
    (ctx ??= Promise.resolve(
      typeof options.ctx === "function" ? options.ctx() : (options.ctx ?? createTestContext()),
    ));
  const skipped: string[] = [];
  afterAll(() => {
    if (skipped.length > 0) {
      console.info(`[calipso kit] ${kind}/${options.definition.name}: skipped ${skipped.join(", ")}`);
    }
  });
  const title = (id: string, text: string) => `[${kind}/${id}] ${text}`;
  return {
    kind,
    definition: options.definition as ProviderDefinition<K>,
    config: options.config,
    invalidConfigs: options.invalidConfigs,
    timeoutMs,
    context,
    create: async () => instantiate(options.definition as ProviderDefinition<K>, options.config, await context()),
    createWith: async (rawConfig) => instantiate(options.definition as ProviderDefinition<K>, rawConfig, await context()),
    test(id, text, fn, t) {
      it(title(id, text), fn, t ?? timeoutMs);
    },
    testIf(capability, declared, id, text, fn, t) {
      if (declared) {
        it(title(id, text), fn, t ?? timeoutMs);
      } else {
        skipped.push(`${id} (capability "${capability}" not declared)`);
        it.skip(`${title(id, text)} (skipped: capability "${capability}" not declared)`, fn);
      }
    },
  };
}

/** Whether a capability value counts as declared (`true` or a non-empty list). */
export function declared(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : value === true;
}

/** A short random suffix for names and labels (lower-case hex). */
export function randomSuffix(bytes = 4): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}
