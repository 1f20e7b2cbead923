/** @module PBKDF2 password hashes of the reference user office (node:crypto; same format as Calipso's static provider). */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/** Hashes a password as `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`. */
export function hashOfficePassword(password: string, iterations = 600_000): string {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  return `pbkdf2-sha256$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** Checks a password against a hash in constant time; a missing hash derives a decoy so timing stays the same. */
export function checkOfficePassword(password: string, encoded: string | undefined): boolean {
  const [scheme, it, salt, hash] = (encoded ?? "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$").split("$");
  const iterations = Number(it);
  if (scheme !== "pbkdf2-sha256" || !Number.isInteger(iterations) || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = pbkdf2Sync(password, Buffer.from(salt, "base64"), iterations, 32, "sha256");
  return encoded !== undefined && expected.length === actual.length && timingSafeEqual(expected, actual);
}
