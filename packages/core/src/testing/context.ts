/** @module A `ProviderContext` for tests: silent logger, global fetch, a never-aborted signal, real clock, throwaway key. */
import type { ProviderContext, Secrets } from "../ports/context.ts";
import { silentLogger } from "../ports/context.ts";

/**
 * Reversible, NOT secret "encryption" for tests: base64 with a marker, so a test can see that a
 * value went through `encrypt` and never appears in clear.
 */
export const testSecrets: Secrets = {
  async encrypt(plaintext) {
    return `test.${btoa(String.fromCharCode(...new TextEncoder().encode(plaintext)))}`;
  },
  async decrypt(ciphertext) {
    if (!ciphertext.startsWith("test.")) throw new Error("not a test ciphertext");
    return new TextDecoder().decode(Uint8Array.from(atob(ciphertext.slice(5)), (c) => c.charCodeAt(0)));
  },
};

/** A provider context for tests; override any field. */
export function testContext(overrides: Partial<ProviderContext> = {}): ProviderContext {
  return {
    logger: silentLogger,
    fetch: (...args) => fetch(...args),
    signal: new AbortController().signal,
    now: () => new Date(),
    secrets: testSecrets,
    ...overrides,
  };
}
