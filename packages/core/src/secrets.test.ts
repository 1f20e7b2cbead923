import { describe, expect, it } from "vitest";
import { AppError } from "./errors.ts";
import { createSecrets, generateSecretKey } from "./secrets.ts";

describe("secrets", () => {
  it("encrypts with a fresh IV each time and decrypts back", async () => {
    const s = await createSecrets(generateSecretKey());
    const a = await s.encrypt("vnc-password");
    const b = await s.encrypt("vnc-password");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\./);
    expect(a).not.toContain("vnc-password");
    expect(await s.decrypt(a)).toBe("vnc-password");
    expect(await s.decrypt(await s.encrypt(""))).toBe("");
    expect(await s.decrypt(await s.encrypt("ünïcødé ✓"))).toBe("ünïcødé ✓");
  });

  it("refuses ciphertexts from another key, tampered or malformed ones", async () => {
    const s = await createSecrets(generateSecretKey());
    const other = await createSecrets(generateSecretKey());
    const c = await s.encrypt("x");
    await expect(other.decrypt(c)).rejects.toSatisfy((e) => AppError.is(e, "INTERNAL"));
    const [v, iv, data] = c.split(".");
    // Flip one character inside the ciphertext: the GCM tag must catch it.
    const flipped = `${v}.${iv}.${data!.slice(0, 2)}${data![2] === "A" ? "B" : "A"}${data!.slice(3)}`;
    await expect(s.decrypt(flipped)).rejects.toSatisfy((e) => AppError.is(e, "INTERNAL"));
    await expect(s.decrypt("garbage")).rejects.toSatisfy((e) => AppError.is(e, "INTERNAL"));
    await expect(s.decrypt(`v2.${iv}.${data}`)).rejects.toSatisfy((e) => AppError.is(e, "INTERNAL"));
  });

  it("refuses keys that are not 32 bytes of base64", async () => {
    await expect(createSecrets("short")).rejects.toSatisfy((e) => AppError.is(e, "INVALID_CONFIG"));
    await expect(createSecrets(btoa("x".repeat(16)))).rejects.toSatisfy((e) => AppError.is(e, "INVALID_CONFIG"));
    await expect(createSecrets("!!!not base64!!!")).rejects.toSatisfy((e) => AppError.is(e, "INVALID_CONFIG"));
  });
});
