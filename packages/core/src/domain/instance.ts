/** @module Instances: running environments, and their handles at the providers. */
import { z } from "zod";
import { ResourcesSchema } from "./template.ts";

/** JSON value (handles are stored as JSON and must survive a restart). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const JsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), z.json()) as z.ZodType<JsonObject>;

/** Where a workload can be reached by the desktop gateway. */
export const EndpointSchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(["vnc", "rdp", "ssh", "http"]),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

/** A compute backend's handle to a workload: JSON, stored by the host, valid after a restart. */
export const ComputeHandleSchema = z.strictObject({
  backend: z.string().min(1).describe("Name of the configured backend that owns the workload"),
  id: z.string().min(1).describe("Backend's identifier of the workload"),
  state: JsonObjectSchema.describe("Backend-specific data needed to find the workload again"),
});
export type ComputeHandle = z.infer<typeof ComputeHandleSchema>;

/** A remote desktop provider's handle to a registered connection. */
export const DesktopHandleSchema = z.strictObject({
  provider: z.string().min(1),
  id: z.string().min(1),
  state: JsonObjectSchema,
});
export type DesktopHandle = z.infer<typeof DesktopHandleSchema>;

/** Lifecycle states of an instance. */
export const InstanceStateSchema = z.enum(["pending", "starting", "running", "terminating", "terminated", "failed"]);
export type InstanceState = z.infer<typeof InstanceStateSchema>;

/** A launched environment. */
export const InstanceSchema = z.object({
  id: z.string().min(1),
  owner: z.string().min(1).describe("User id of the owner"),
  experimentId: z.string().optional(),
  sessionId: z.string().optional(),
  template: z.string().min(1).describe("Template name"),
  state: InstanceStateSchema,
  stateReason: z.string().max(2000).optional().describe("Why the instance is in its state (failures, reaping)"),
  resources: ResourcesSchema.describe("Resources copied from the template at launch"),
  compute: ComputeHandleSchema.optional(),
  desktop: DesktopHandleSchema.optional(),
  endpoint: EndpointSchema.optional(),
  secret: z.string().optional().describe("Per-instance desktop secret, encrypted at rest; never returned by the API"),
  createdAt: z.date(),
  startedAt: z.date().optional(),
  endedAt: z.date().optional(),
  expiresAt: z.date().optional(),
  lastActivityAt: z.date().optional(),
});
export type Instance = z.infer<typeof InstanceSchema>;

/** The states from which an instance can no longer change. */
export const TERMINAL_STATES: readonly InstanceState[] = ["terminated", "failed"];

/** States that count against a quota. */
export const ACTIVE_STATES: readonly InstanceState[] = ["pending", "starting", "running", "terminating"];

/** Whether a state is terminal. */
export function isTerminal(state: InstanceState): boolean {
  return state === "terminated" || state === "failed";
}
