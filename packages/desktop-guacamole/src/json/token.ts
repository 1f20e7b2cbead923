/**
 * @module Encrypted JSON tokens of guacamole-auth-json, with Web Crypto only (every runtime):
 * HMAC-SHA256 over the JSON, signature ‖ JSON encrypted with AES-128-CBC under a zero IV,
 * the same 128-bit key for both, base64.
 */
import { AppError } from "@calipso/core";
import { decodeBase64, decodeHex, encodeBase64 } from "@oslojs/encoding";

/** One connection in the token (`protocol` for a new connection, `join` to join another). */
export interface JsonConnection {
  readonly id?: string;
  readonly protocol?: string;
  readonly join?: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/** The JSON the extension reads. `expires` is epoch milliseconds. */
export interface JsonTokenPayload {
  readonly username: string;
  readonly expires?: number;
  readonly singleUse?: boolean;
  readonly connections: Readonly<Record<string, JsonConnection>>;
}

const ZERO_IV = new Uint8Array(16);

type Key = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

async function keys(secretHex: string): Promise<{ hmac: Key; aes: Key }> {
  if (!/^[0-9a-fA-F]{32}$/.test(secretHex)) throw new AppError("INVALID_CONFIG", { detail: "secretKey must be 32 hex digits", provider: "guacamole" });
  const raw = new Uint8Array(decodeHex(secretHex.toLowerCase()));
  const hmac = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  const aes = await crypto.subtle.importKey("raw", raw, { name: "AES-CBC" }, false, ["encrypt", "decrypt"]);
  return { hmac, aes };
}

/**
 * Signs and encrypts a payload for guacamole-auth-json; returns base64 (not yet URL-encoded).
 *
 * @example
 * const data = await createJsonToken({ username: "ada", expires: Date.now() + 60_000, connections: { ... } }, key);
 */
export async function createJsonToken(payload: JsonTokenPayload, secretHex: string): Promise<string> {
  const { hmac, aes } = await keys(secretHex);
  const json = new TextEncoder().encode(JSON.stringify(payload));
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", hmac, json));
  const plain = new Uint8Array(sig.length + json.length);
  plain.set(sig);
  plain.set(json, sig.length);
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv: ZERO_IV }, aes, plain));
  return encodeBase64(cipher);
}

/**
 * Decrypts and verifies a token as the extension does, and also refuses expired ones.
 * Throws `UNAUTHENTICATED` for a token that does not decrypt, whose signature does not match,
 * that is not the expected JSON, or whose `expires` has passed.
 */
export async function verifyJsonToken(token: string, secretHex: string, now: Date = new Date()): Promise<JsonTokenPayload> {
  const { hmac, aes } = await keys(secretHex);
  const refuse = (detail: string, cause?: unknown) => new AppError("UNAUTHENTICATED", { detail, cause, provider: "guacamole" });
  let plain: Uint8Array<ArrayBuffer>;
  try {
    const cipher = new Uint8Array(decodeBase64(token));
    plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv: ZERO_IV }, aes, cipher));
  } catch (cause) {
    throw refuse("Token does not decrypt", cause);
  }
  if (plain.length <= 32) throw refuse("Token is too short");
  const sig = plain.slice(0, 32);
  const json = plain.slice(32);
  if (!(await crypto.subtle.verify("HMAC", hmac, sig, json))) throw refuse("Token signature does not match");
  let payload: JsonTokenPayload;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json)) as JsonTokenPayload;
  } catch (cause) {
    throw refuse("Token is not JSON", cause);
  }
  if (typeof payload !== "object" || payload === null || typeof payload.username !== "string" || typeof payload.connections !== "object") {
    throw refuse("Token is not a guacamole-auth-json payload");
  }
  if (payload.expires !== undefined && (typeof payload.expires !== "number" || payload.expires <= now.getTime())) {
    throw refuse("Token has expired");
  }
  return payload;
}
