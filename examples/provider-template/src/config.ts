/** @module The config schema of the example backend: strict, every field described, defaults here. */
import { z } from "zod";

/** Config of the example "workload API" compute backend. */
export const ExampleBatchConfigSchema = z.strictObject({
  url: z.url().describe("Base URL of the workload API, e.g. https://batch.example.org"),
  token: z.string().min(1).describe("API token, sent as a Bearer token (never logged, never in errors)"),
  pollIntervalMs: z.number().int().min(1).max(60_000).default(1_000).describe("How often start() polls a pending workload"),
  requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe("Deadline of each API request"),
});

/** The parsed config. */
export type ExampleBatchConfig = z.output<typeof ExampleBatchConfigSchema>;
