/**
 * @module Provider definitions: kind-branded, frozen plain objects with a strict zod config
 * schema and declared capabilities; and `instantiate()`, which parses config once.
 */
import { z } from "zod";
import { AppError, toAppError } from "./errors.ts";
import type { AuthCapabilities, AuthProvider } from "./ports/auth.ts";
import type { ComputeBackend, ComputeCapabilities } from "./ports/compute.ts";
import type { ProviderContext } from "./ports/context.ts";
import type { DesktopCapabilities, RemoteDesktop } from "./ports/desktop.ts";
import type { ExperimentCapabilities, ExperimentSource } from "./ports/experiments.ts";
import type { Store, StoreCapabilities } from "./ports/store.ts";

/** The provider kinds and, for each, the instance type and its capabilities. */
export interface ProviderKinds {
  auth: { instance: AuthProvider; capabilities: AuthCapabilities };
  experiments: { instance: ExperimentSource; capabilities: ExperimentCapabilities };
  compute: { instance: ComputeBackend; capabilities: ComputeCapabilities };
  desktop: { instance: RemoteDesktop; capabilities: DesktopCapabilities };
  store: { instance: Store; capabilities: StoreCapabilities };
}
export type ProviderKind = keyof ProviderKinds;

/** Every provider kind. */
export const PROVIDER_KINDS: readonly ProviderKind[] = ["auth", "experiments", "compute", "desktop", "store"];

/** Brand that marks a value as a provider definition made by `define*()`. */
export const PROVIDER_BRAND = "calipso.provider/v1";

/** A provider definition: plain data plus a factory. */
export interface ProviderDefinition<K extends ProviderKind = ProviderKind, S extends z.ZodType = z.ZodType> {
  readonly brand: typeof PROVIDER_BRAND;
  readonly kind: K;
  /** kebab-case, unique within its kind. */
  readonly name: string;
  /** One line for docs and `calipso check`. */
  readonly description?: string;
  /** Strict schema; defaults and descriptions are the documentation. */
  readonly configSchema: S;
  readonly capabilities: ProviderKinds[K]["capabilities"];
  create(config: z.output<S>, ctx: ProviderContext): ProviderKinds[K]["instance"] | Promise<ProviderKinds[K]["instance"]>;
}

/** What a provider author writes: the definition without its brand and kind. */
export type ProviderInput<K extends ProviderKind, S extends z.ZodType> = Omit<ProviderDefinition<K, S>, "brand" | "kind">;

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Brands, checks and freezes a definition. The `define*()` helpers of `@calipso/sdk` call it.
 * Throws `INVALID_CONFIG` when the name is not kebab-case or the schema is missing.
 */
export function defineProvider<K extends ProviderKind, S extends z.ZodType>(kind: K, input: ProviderInput<K, S>): ProviderDefinition<K, S> {
  if (typeof input?.name !== "string" || !NAME.test(input.name)) {
    throw new AppError("INVALID_CONFIG", { detail: `Provider name must be kebab-case, got ${JSON.stringify(input?.name)}` });
  }
  if (!(input.configSchema instanceof z.ZodType)) {
    throw new AppError("INVALID_CONFIG", { detail: `Provider ${input.name}: configSchema must be a zod schema` });
  }
  if (typeof input.create !== "function") {
    throw new AppError("INVALID_CONFIG", { detail: `Provider ${input.name}: create must be a function` });
  }
  return Object.freeze({ ...input, capabilities: Object.freeze({ ...input.capabilities }), brand: PROVIDER_BRAND, kind });
}

/** Whether a value is a provider definition (of a given kind). Duck-typed across package copies. */
export function isProviderDefinition<K extends ProviderKind>(value: unknown, kind?: K): value is ProviderDefinition<K> {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<ProviderDefinition>;
  return v.brand === PROVIDER_BRAND && typeof v.name === "string" && typeof v.create === "function" && (kind === undefined || v.kind === kind);
}

/** Human-readable form of zod issues, each with its path. */
export function formatIssues(error: z.ZodError, prefix = ""): string {
  return error.issues
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter(Boolean).join(".");
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join("; ");
}

/**
 * Parses `rawConfig` with the definition's schema and creates the provider.
 * Config errors become `INVALID_CONFIG` naming each field; a throwing `create` is wrapped.
 *
 * @example
 * const docker = await instantiate(dockerBackend, { socketPath: "/run/podman.sock" }, ctx);
 */
export async function instantiate<K extends ProviderKind, S extends z.ZodType>(
  definition: ProviderDefinition<K, S>,
  rawConfig: unknown,
  ctx: ProviderContext,
  options: { path?: string } = {},
): Promise<ProviderKinds[K]["instance"]> {
  if (!isProviderDefinition(definition)) {
    throw new AppError("INVALID_CONFIG", { detail: `${options.path ?? "provider"}: not a provider definition made by define*()` });
  }
  const parsed = definition.configSchema.safeParse(rawConfig ?? {});
  if (!parsed.success) {
    const path = options.path ?? `${definition.kind}.${definition.name}`;
    throw new AppError("INVALID_CONFIG", {
      detail: formatIssues(parsed.error, path),
      provider: definition.name,
      meta: { issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })) },
      cause: parsed.error,
    });
  }
  try {
    return await definition.create(parsed.data as z.output<S>, ctx.logger ? { ...ctx, logger: ctx.logger.child({ provider: definition.name }) } : ctx);
  } catch (error) {
    throw toAppError(error, "INVALID_CONFIG", { provider: definition.name, detail: `Provider ${definition.name} could not be created` });
  }
}
