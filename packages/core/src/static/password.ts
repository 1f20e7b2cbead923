/**
 * @module PBKDF2-SHA256 password hashes for the `static` provider (Web Crypto only).
 *
 * Format: `pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>` — a 16-byte random salt and a
 * 32-byte derived key. Verification compares in constant time.
 */
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64, encodeBase64 } from "@oslojs/encoding";
import { AppError } from "../errors.ts";

/** The prefix of every hash this module writes. */
export const PASSWORD_HASH_SCHEME = "pbkdf2-sha256";
/** Iterations used by {@link hashPassword} when none are given (OWASP 2023 advice for PBKDF2-SHA256). */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
/** Fewest iterations a hash may declare; lower values are refused as too weak. */
export const MIN_PBKDF2_ITERATIONS = 1_000;
/** Most iterations a hash may declare (bounds the CPU one login can cost). */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

/** Regular expression that a password hash string must match. */
export const PASSWORD_HASH_PATTERN = /^pbkdf2-sha256\$[0-9]{1,9}\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;

/** A parsed password hash. */
export interface ParsedPasswordHash {
  readonly iterations: number;
  readonly salt: Uint8Array<ArrayBuffer>;
  readonly hash: Uint8Array<ArrayBuffer>;
}

/** Parses a hash string; throws `INVALID_CONFIG` when it is not in the documented format. */
export function parsePasswordHash(encoded: string): ParsedPasswordHash {
  const parts = encoded.split("$");
  const iterations = Number(parts[1]);
  if (parts.length !== 4 || parts[0] !== PASSWORD_HASH_SCHEME || !Number.isInteger(iterations)) {
    throw new AppError("INVALID_CONFIG", { detail: `Password hashes must look like ${PASSWORD_HASH_SCHEME}$<iterations>$<salt>$<hash>` });
  }
  if (iterations < MIN_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new AppError("INVALID_CONFIG", { detail: `Password hash iterations must be between ${MIN_PBKDF2_ITERATIONS} and ${MAX_PBKDF2_ITERATIONS}` });
  }
  try {
    const salt = new Uint8Array(decodeBase64(parts[2]!));
    const hash = new Uint8Array(decodeBase64(parts[3]!));
    if (salt.length < 16 || hash.length !== 32) throw new Error("bad lengths");
    return { iterations, salt, hash };
  } catch (cause) {
    throw new AppError("INVALID_CONFIG", { detail: "Password hash has an invalid salt or hash (base64 of 16 and 32 bytes)", cause });
  }
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/**
 * Hashes a password for the `static` provider's `passwordHash` field.
 *
 * @example
 * const passwordHash = await hashPassword("correct horse battery staple");
 * // "pbkdf2-sha256$600000$…$…"
 */
export async function hashPassword(password: string, options: { iterations?: number } = {}): Promise<string> {
  const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < MIN_PBKDF2_ITERATIONS || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new AppError("VALIDATION_FAILED", { detail: `iterations must be an integer between ${MIN_PBKDF2_ITERATIONS} and ${MAX_PBKDF2_ITERATIONS}` });
  }
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, iterations);
  return `${PASSWORD_HASH_SCHEME}$${iterations}$${encodeBase64(salt)}$${encodeBase64(hash)}`;
}

/**
 * Whether `password` matches a parsed hash. Always derives the full key and compares in
 * constant time, so the time taken does not reveal where a wrong password differs.
 */
export async function verifyPassword(password: string, hash: ParsedPasswordHash | string): Promise<boolean> {
  const parsed = typeof hash === "string" ? parsePasswordHash(hash) : hash;
  const candidate = await derive(password, parsed.salt, parsed.iterations);
  return constantTimeEqual(candidate, parsed.hash);
}
