/** @module Guacamole's REST token endpoint: `POST {api}/api/tokens`, server-side only. */
import { AppError } from "@calipso/core";
import { z } from "zod";

const TokenResponseSchema = z.object({
  authToken: z.string().min(1),
  username: z.string().optional(),
  dataSource: z.string().optional(),
  availableDataSources: z.array(z.string()).optional(),
});
export type GuacamoleAuthToken = z.infer<typeof TokenResponseSchema>;

/**
 * Logs a user in at Guacamole and returns the auth token. Credentials go in the form body,
 * never in a URL. A refusal is `PROVIDER_ERROR`; a network failure `PROVIDER_UNAVAILABLE`.
 */
export async function fetchAuthToken(
  fetchFn: typeof fetch,
  apiBase: string,
  credentials: { username: string; password: string },
  signal?: AbortSignal,
): Promise<GuacamoleAuthToken> {
  let response: Response;
  try {
    response = await fetchFn(`${apiBase.replace(/\/$/, "")}/api/tokens`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(credentials).toString(),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000),
      redirect: "error",
    });
  } catch (cause) {
    throw new AppError("PROVIDER_UNAVAILABLE", { detail: "Guacamole's REST API is unreachable", provider: "guacamole", cause });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError("PROVIDER_ERROR", { detail: `Guacamole refused the per-instance login (HTTP ${response.status})`, provider: "guacamole" });
  }
  const parsed = TokenResponseSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new AppError("PROVIDER_ERROR", { detail: "Guacamole's /api/tokens answered without an authToken", provider: "guacamole" });
  return parsed.data;
}
