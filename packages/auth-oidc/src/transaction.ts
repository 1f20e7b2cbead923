/**
 * @module The opaque login transaction (state, nonce, PKCE verifier, redirect URI, start time),
 * encrypted with the server key so the host can keep it in an HttpOnly cookie.
 */
import { AppError } from "@calipso/core";
import type { Secrets } from "@calipso/core";
import { z } from "zod";

const TransactionSchema = z.strictObject({
  v: z.literal(1),
  state: z.string().min(16).max(256),
  nonce: z.string().min(16).max(256),
  verifier: z.string().min(43).max(128),
  redirectUri: z.string().min(1).max(2048),
  startedAt: z.number().int(),
});
export type OidcTransaction = z.infer<typeof TransactionSchema>;

/** Seals a transaction (AES-GCM via the host's `secrets`). */
export async function sealTransaction(secrets: Secrets, t: Omit<OidcTransaction, "v">): Promise<string> {
  return secrets.encrypt(JSON.stringify({ v: 1, ...t }));
}

/** Opens a sealed transaction; anything that does not decrypt or parse is `UNAUTHENTICATED`. */
export async function openTransaction(secrets: Secrets, sealed: string, provider: string): Promise<OidcTransaction> {
  const refused = (cause?: unknown) => new AppError("UNAUTHENTICATED", { provider, detail: "The login transaction is missing or invalid; start the login again", cause });
  if (typeof sealed !== "string" || sealed.length === 0 || sealed.length > 8192) throw refused();
  let text: string;
  try {
    text = await secrets.decrypt(sealed);
  } catch (cause) {
    throw refused(cause);
  }
  try {
    return TransactionSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw refused(cause);
  }
}
