import { describe, expect, it } from "vitest";
import { createId, createSecret, createToken, hashToken } from "./tokens.ts";

describe("tokens", () => {
  it("creates 160-bit base32 tokens that do not repeat", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => createToken()));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t).toMatch(/^[a-z2-7]{32}$/);
  });

  it("hashes with SHA-256 to lower-case hex", () => {
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hashToken("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const t = createToken();
    expect(hashToken(t)).toHaveLength(64);
    expect(hashToken(t)).not.toContain(t);
  });

  it("creates UUIDs", () => {
    expect(createId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("creates secrets of the requested length from an unambiguous alphabet", () => {
    for (const length of [8, 24, 64]) {
      const s = createSecret(length);
      expect(s).toHaveLength(length);
      expect(s).toMatch(/^[a-km-zA-HJ-NP-Z2-9]+$/);
    }
    expect(new Set(Array.from({ length: 200 }, () => createSecret())).size).toBe(200);
  });
});
