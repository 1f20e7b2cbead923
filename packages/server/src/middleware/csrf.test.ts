import { describe, expect, it } from "vitest";
import { createCsrfTokens, originAllowed } from "./csrf.ts";

describe("[server/csrf-unit] CSRF tokens and origin checks", () => {
  it("derives a token per session that verifies only for that session and key", () => {
    const a = createCsrfTokens(new Uint8Array(32).fill(1));
    const b = createCsrfTokens(new Uint8Array(32).fill(2));
    const t = a.token("session-1");
    expect(a.verify("session-1", t)).toBe(true);
    expect(a.verify("session-2", t)).toBe(false);
    expect(b.verify("session-1", t)).toBe(false);
    expect(a.verify("session-1", undefined)).toBe(false);
    expect(a.verify("session-1", `${t}x`)).toBe(false);
    expect(() => createCsrfTokens(new Uint8Array(16))).toThrow(/32 bytes/);
  });

  it("allows same-origin and configured origins; refuses foreign, null, and cross-site fetches", () => {
    const allowed = new Set(["https://calipso.example.org"]);
    expect(originAllowed("https://calipso.example.org", undefined, allowed)).toBe(true);
    expect(originAllowed("https://evil.example", "same-origin", allowed)).toBe(false);
    expect(originAllowed("null", undefined, allowed)).toBe(false);
    expect(originAllowed(undefined, "cross-site", allowed)).toBe(false);
    expect(originAllowed(undefined, "same-site", allowed)).toBe(false);
    expect(originAllowed(undefined, "same-origin", allowed)).toBe(true);
    expect(originAllowed(undefined, undefined, allowed)).toBe(true);
  });
});
