/**
 * @module Guacamole 1.x password hashing (guacamole-auth-jdbc's SHA-256 scheme):
 * hash = SHA-256(UTF-8(password + UPPER-CASE-HEX(salt))), with a 32-byte salt from the CSPRNG.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding, encodeHexUpperCase } from "@oslojs/encoding";

/** A salted hash as the `guacamole_user` columns hold it. */
export interface GuacamolePasswordHash {
  readonly hash: Uint8Array;
  readonly salt: Uint8Array;
}

/** Hashes a password the way Guacamole verifies it, with a fresh random 32-byte salt (or `salt`). */
export function hashGuacamolePassword(password: string, salt: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): GuacamolePasswordHash {
  const hash = sha256(new TextEncoder().encode(password + encodeHexUpperCase(salt)));
  return { hash, salt };
}

/** A random per-instance Guacamole password (256 bits, base64url). */
export function createGuacamolePassword(): string {
  return encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(32)));
}
