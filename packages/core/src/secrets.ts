/** @module AES-GCM encryption of small secrets with the server key (Web Crypto only). */
import { decodeBase64, encodeBase64 } from "@oslojs/encoding";
import { AppError } from "./errors.ts";
import type { Secrets } from "./ports/context.ts";

const VERSION = "v1";

/**
 * Creates the `Secrets` of a server from its key: 32 random bytes, base64-encoded.
 * Ciphertexts look like `v1.<iv>.<data>` (base64) and carry an authentication tag.
 *
 * @example
 * const secrets = await createSecrets(process.env.CALIPSO_SECRET_KEY!);
 */
export async function createSecrets(keyBase64: string): Promise<Secrets> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = new Uint8Array(decodeBase64(keyBase64));
  } catch (cause) {
    throw new AppError("INVALID_CONFIG", { detail: "secretKey must be base64 of 32 random bytes", cause });
  }
  if (raw.length !== 32) throw new AppError("INVALID_CONFIG", { detail: `secretKey must be 32 bytes, got ${raw.length}` });
  const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  return {
    async encrypt(plaintext) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(plaintext)));
      return `${VERSION}.${encodeBase64(iv)}.${encodeBase64(data)}`;
    },
    async decrypt(ciphertext) {
      const [version, iv, data] = ciphertext.split(".");
      if (version !== VERSION || !iv || !data) throw new AppError("INTERNAL", { message: "Malformed ciphertext" });
      try {
        const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(decodeBase64(iv)) }, key, new Uint8Array(decodeBase64(data)));
        return new TextDecoder().decode(plain);
      } catch (cause) {
        throw new AppError("INTERNAL", { message: "Ciphertext does not decrypt with this key", cause });
      }
    },
  };
}

/** A new random key for {@link createSecrets}, base64. */
export function generateSecretKey(): string {
  return encodeBase64(crypto.getRandomValues(new Uint8Array(32)));
}
