/** @module Quotas: limits per user and the usage they are checked against. */
import { z } from "zod";
import type { Resources } from "./template.ts";

/** Limits of one user. */
export const QuotaLimitsSchema = z.strictObject({
  instances: z.number().int().min(0).max(10_000).describe("Maximum number of active instances"),
  cpu: z.number().min(0).max(100_000).describe("Maximum CPU cores over active instances"),
  memoryMiB: z.number().int().min(0).max(1024 * 1024 * 1024).describe("Maximum memory in MiB over active instances"),
  storageGiB: z.number().min(0).max(1024 * 1024 * 1024).describe("Maximum storage in GiB over active instances"),
});
export type QuotaLimits = z.infer<typeof QuotaLimitsSchema>;

/** Usage of one user: sums over the user's active (non-terminal) instances. */
export interface QuotaUsage {
  readonly instances: number;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly storageGiB: number;
}

/** A quota as the API reports it. */
export interface Quota {
  readonly limits: QuotaLimits;
  readonly usage: QuotaUsage;
  readonly overridden: boolean;
}

/** Adds one instance's resources to a usage. */
export function addUsage(usage: QuotaUsage, r: Resources): QuotaUsage {
  return {
    instances: usage.instances + 1,
    cpu: usage.cpu + r.cpu,
    memoryMiB: usage.memoryMiB + r.memoryMiB,
    storageGiB: usage.storageGiB + (r.storageGiB ?? 0),
  };
}

/** Zero usage. */
export const EMPTY_USAGE: QuotaUsage = Object.freeze({ instances: 0, cpu: 0, memoryMiB: 0, storageGiB: 0 });

/**
 * The first limit that `usage + requested` would exceed, or `undefined` when it fits.
 * Pure: stores call it inside their lock or transaction.
 */
export function exceededLimit(usage: QuotaUsage, requested: Resources, limits: QuotaLimits): keyof QuotaLimits | undefined {
  const next = addUsage(usage, requested);
  const eps = 1e-9;
  if (next.instances > limits.instances) return "instances";
  if (next.cpu > limits.cpu + eps) return "cpu";
  if (next.memoryMiB > limits.memoryMiB) return "memoryMiB";
  if (next.storageGiB > limits.storageGiB + eps) return "storageGiB";
  return undefined;
}
