/** @module The Hono environment of the Calipso app: per-request variables. */
import type { ApiTokenScope, Logger, User } from "@calipso/core";

/** Who is calling, and how they proved it. */
export interface Principal {
  readonly user: User;
  /** `session`: the login cookie; `token`: a personal API token (`Authorization: Bearer`). */
  readonly via: "session" | "token";
  /** Scopes of an API token; a session has every scope its roles allow. */
  readonly scopes: readonly ApiTokenScope[];
  /** The session token (only for `via: "session"`; used for CSRF and logout). */
  readonly sessionToken?: string;
  readonly expiresAt?: Date;
}

/** Variables every handler can read with `c.get()`. */
export interface AppVariables {
  requestId: string;
  logger: Logger;
  principal: Principal | undefined;
  /** The client's address as the host determined it (see `clientAddress` option). */
  clientAddress: string | undefined;
}

/** The Hono environment type of the app. Bindings are whatever the host passes (Node: `incoming`). */
export interface AppEnv {
  Variables: AppVariables;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Bindings: any;
}
