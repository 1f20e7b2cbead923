/** @module Audit events: one for every state-changing call. */
import { z } from "zod";

export const AuditEventSchema = z.object({
  id: z.string().min(1),
  at: z.date(),
  actor: z.string().describe("User id, or 'system' for background work"),
  action: z.string().min(1).max(64).describe("Dotted verb, e.g. instance.launch"),
  target: z.string().max(256).describe("Kind and id of the target, e.g. instance:abc"),
  outcome: z.enum(["success", "failure"]),
  detail: z.record(z.string(), z.json()).optional().describe("Non-secret details"),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;
export type AuditEventInput = Omit<AuditEvent, "id" | "at">;
