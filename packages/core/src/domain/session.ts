/** @module Login sessions and personal API tokens (only hashes are stored). */
import { z } from "zod";

export const SessionRecordSchema = z.object({
  tokenHash: z.string().length(64).describe("SHA-256 of the session token, lower-case hex"),
  userId: z.string().min(1),
  createdAt: z.date(),
  expiresAt: z.date(),
});
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

export const ApiTokenScopeSchema = z.enum(["read", "write", "admin"]);
export type ApiTokenScope = z.infer<typeof ApiTokenScopeSchema>;

export const ApiTokenRecordSchema = z.object({
  id: z.string().min(1),
  userId: z.string().min(1),
  name: z.string().min(1).max(128),
  tokenHash: z.string().length(64),
  scopes: z.array(ApiTokenScopeSchema).min(1),
  createdAt: z.date(),
  expiresAt: z.date().optional(),
  lastUsedAt: z.date().optional(),
});
export type ApiTokenRecord = z.infer<typeof ApiTokenRecordSchema>;
