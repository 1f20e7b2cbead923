/** @module Options of `createApp()` and their defaults. */
import type { Context } from "hono";
import type { Logger, Secrets } from "@calipso/core";
import { silentLogger } from "@calipso/core";
import type { AppEnv } from "./env.ts";
import type { RateLimiter } from "./middleware/rate-limit.ts";

/** One observed response, for metrics. */
export interface ResponseInfo {
  readonly method: string;
  /** The route pattern that answered (e.g. `/api/v1/instances/:id`), or `unmatched`. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
}

/** Options of {@link createApp}. Every field has a safe default. */
export interface AppOptions {
  /** Secret bytes (≥ 32) used to derive CSRF tokens; random per process when absent (one replica only). */
  readonly csrfKey?: Uint8Array;
  /** Encrypts the short-lived OpenID Connect transaction cookie; required for OIDC login. */
  readonly secrets?: Secrets;
  /** Session cookie settings. */
  readonly cookie?: {
    /** Cookie name (default `calipso_session`). */
    readonly name?: string;
    /** Send the cookie only over HTTPS (default true; switch off only for plain-HTTP development). */
    readonly secure?: boolean;
    /** Cookie path (default `/`). */
    readonly path?: string;
  };
  /** Public origin of the server (e.g. `https://calipso.example.org`), used for Origin checks and OIDC redirects. */
  readonly publicUrl?: string;
  /** Further origins allowed to make cookie-authenticated unsafe requests. */
  readonly allowedOrigins?: readonly string[];
  /** The client's address (the Node host reads the socket and trusted proxies). Default: unknown. */
  readonly clientAddress?: (c: Context<AppEnv>) => string | undefined;
  /** Whether the request's peer (the socket, not a header) is a trusted federated-login proxy. Default: never. */
  readonly fromTrustedProxy?: (c: Context<AppEnv>) => boolean;
  /** The address of the socket peer (the proxy, for federated logins), as the host sees it. */
  readonly peerAddress?: (c: Context<AppEnv>) => string | undefined;
  /** Request header names whose values become federated-login attributes (lower-case). */
  readonly federatedHeaders?: readonly string[];
  /** Login rate limits; counts failed attempts in a window. */
  readonly loginRateLimit?: {
    readonly perAccount?: { readonly max: number; readonly windowSec: number };
    readonly perAddress?: { readonly max: number; readonly windowSec: number };
  };
  /** Custom rate limiter (e.g. shared between replicas); default is in memory. */
  readonly rateLimiter?: RateLimiter;
  /** Reads a swagger-ui-dist asset by file name; without it `/api/docs` answers 404. */
  readonly docsAssets?: (file: string) => Promise<Uint8Array | string | null>;
  /** Readiness probe for `/readyz`; throws or rejects when not ready. */
  readonly ready?: () => Promise<void>;
  /** Where a browser goes after an OIDC login (default `/`). */
  readonly afterLoginUrl?: string;
  /** Base of the problem `type` URIs (default `https://calipso.dev/docs/errors#`). */
  readonly problemTypeBase?: string;
  /**
   * Runs the rest of a request inside a context that carries its id (the Node host uses
   * AsyncLocalStorage so that every log line written while serving it, by core and providers too,
   * has the request id). Without it only the server's own lines carry the id.
   */
  readonly runWithRequestId?: <T>(requestId: string, fn: () => Promise<T>) => Promise<T>;
  /** Called after every response (metrics). */
  readonly onResponse?: (info: ResponseInfo) => void;
  readonly logger?: Logger;
  /** Title and version shown in the OpenAPI document. */
  readonly info?: { readonly title?: string; readonly version?: string; readonly description?: string };
}

/** Options with every default applied. */
export interface ResolvedOptions extends AppOptions {
  readonly cookieName: string;
  readonly cookieSecure: boolean;
  readonly cookiePath: string;
  readonly logger: Logger;
  readonly problemTypeBase: string;
  readonly perAccount: { readonly max: number; readonly windowSec: number };
  readonly perAddress: { readonly max: number; readonly windowSec: number };
}

/** Applies defaults. */
export function resolveOptions(options: AppOptions): ResolvedOptions {
  return {
    ...options,
    cookieName: options.cookie?.name ?? "calipso_session",
    cookieSecure: options.cookie?.secure ?? true,
    cookiePath: options.cookie?.path ?? "/",
    logger: options.logger ?? silentLogger,
    problemTypeBase: options.problemTypeBase ?? "https://calipso.dev/docs/errors#",
    perAccount: options.loginRateLimit?.perAccount ?? { max: 10, windowSec: 900 },
    perAddress: options.loginRateLimit?.perAddress ?? { max: 50, windowSec: 900 },
  };
}
