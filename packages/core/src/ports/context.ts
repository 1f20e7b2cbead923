/** @module What the host gives every provider: logger, fetch, signal, clock, secrets. */

/** Structured logger (pino-compatible in spirit). Never log a secret. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Encrypts and decrypts small secrets with the server's key (AES-GCM). */
export interface Secrets {
  encrypt(plaintext: string): Promise<string>;
  decrypt(ciphertext: string): Promise<string>;
}

/** The capabilities a provider receives from its host: never import them from the runtime. */
export interface ProviderContext {
  readonly logger: Logger;
  readonly fetch: typeof fetch;
  /** Aborted when the host shuts down. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
  readonly secrets: Secrets;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
