/** @module `createTestContext()`: a ProviderContext for tests (silent logger, global fetch, fresh secret key). */
import { createSecrets, generateSecretKey, silentLogger } from "@calipso/core";
import type { ProviderContext, Secrets } from "@calipso/core";

/**
 * A {@link ProviderContext} for tests: a silent logger, the global `fetch`, a signal that is never
 * aborted, the real clock and `secrets` under a freshly generated key. Override any field.
 *
 * @example
 * const ctx = createTestContext({ fetch: (input, init) => fakeApi.request(input, init) });
 * const backend = await instantiate(myBackend, { url: "http://api.test" }, ctx);
 */
export function createTestContext(overrides: Partial<ProviderContext> = {}): ProviderContext {
  return {
    logger: silentLogger,
    fetch: (input, init) => globalThis.fetch(input, init),
    signal: new AbortController().signal,
    now: () => new Date(),
    secrets: lazySecrets(generateSecretKey()),
    ...overrides,
  };
}

/** `Secrets` whose key is imported on first use, so the context can be built synchronously. */
function lazySecrets(key: string): Secrets {
  let secrets: Promise<Secrets> | undefined;
  const get = () => (secrets ??= createSecrets(key));
  return {
    encrypt: async (plaintext) => (await get()).encrypt(plaintext),
    decrypt: async (ciphertext) => (await get()).decrypt(ciphertext),
  };
}
