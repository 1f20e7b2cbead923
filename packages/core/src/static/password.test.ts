import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { PASSWORD_HASH_PATTERN, hashPassword, parsePasswordHash, verifyPassword } from "./password.ts";

describe("static password hashes", () => {
  it("[static/hash-01] hashes in the documented format and verifies the right password", async () => {
    const hash = await hashPassword("s3cret pass", { iterations: 1000 });
    expect(hash).toMatch(PASSWORD_HASH_PATTERN);
    expect(hash.startsWith("pbkdf2-sha256$1000$")).toBe(true);
    expect(await verifyPassword("s3cret pass", hash)).toBe(true);
  });

  it("[static/hash-02] refuses a wrong password and uses a fresh salt each time", async () => {
    const a = await hashPassword("pw", { iterations: 1000 });
    const b = await hashPassword("pw", { iterations: 1000 });
    expect(a).not.toBe(b);
    expect(await verifyPassword("pW", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });

  it("[static/hash-03] defaults to 600000 iterations", async () => {
    const hash = await hashPassword("x");
    expect(parsePasswordHash(hash).iterations).toBe(600_000);
  });

  it("[static/hash-04] rejects malformed hashes and too few iterations with INVALID_CONFIG", async () => {
    for (const bad of ["plain", "pbkdf2-sha256$10$AAAA$BBBB", "bcrypt$10$x$y", "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAA"]) {
      expect(() => parsePasswordHash(bad), bad).toThrowError(AppError);
    }
    await expect(hashPassword("x", { iterations: 10 })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});
