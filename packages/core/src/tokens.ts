/** @module Random tokens and their SHA-256 hashes (only hashes are ever stored). */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";

/** A new random 160-bit token, base32 (32 characters). */
export function createToken(): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

/** SHA-256 of a token, lower-case hex: what the store keeps. */
export function hashToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** A random identifier (UUID v4). */
export function createId(): string {
  return crypto.randomUUID();
}

/** A random secret for desktops (VNC passwords use the first 8 characters: VNC's limit). */
export function createSecret(length = 24): string {
  const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const out: string[] = [];
  // Rejection sampling keeps the distribution uniform.
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < 256 - (256 % alphabet.length) && out.length < length) out.push(alphabet[b % alphabet.length]!);
    }
  }
  return out.join("");
}
