/** @module The AuthProvider port: who is this user? */
import type { Identity } from "../domain/user.ts";

/** Options passed to every auth call. */
export interface AuthCallOptions {
  readonly signal?: AbortSignal;
}

/** Attributes of a federated login, as a trusted proxy (Shibboleth/Umbrella SP) passed them. */
export interface FederatedRequest {
  /** Header or attribute values by lower-case name, already filtered to the trusted proxy's. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Address of the peer that sent the request. */
  readonly remoteAddress?: string;
}

/** The start of a redirect login (OpenID Connect). */
export interface RedirectStart {
  /** Where to send the browser. */
  readonly url: string;
  /** Opaque transaction data (state, nonce, PKCE verifier) the host keeps until the callback. */
  readonly transaction: string;
}

/** Redirect-based login (e.g. OpenID Connect authorisation code flow with PKCE). */
export interface RedirectAuth {
  start(options: { redirectUri: string } & AuthCallOptions): Promise<RedirectStart>;
  callback(options: { callbackUrl: string; redirectUri: string; transaction: string } & AuthCallOptions): Promise<Identity>;
  /** URL to end the session at the identity provider, where it has one. */
  logoutUrl?(options: { postLogoutRedirectUri?: string }): Promise<string | undefined>;
}

/**
 * Logs users in. Each method is optional and declared as a capability; a failed login throws
 * `UNAUTHENTICATED`, an unreachable identity service `PROVIDER_UNAVAILABLE`/`PROVIDER_TIMEOUT`.
 */
export interface AuthProvider {
  password?(username: string, password: string, options?: AuthCallOptions): Promise<Identity>;
  federated?(request: FederatedRequest, options?: AuthCallOptions): Promise<Identity>;
  redirect?: RedirectAuth;
  /** Whether the user may launch environments that are not bound to an experiment. */
  mayUseOwnResources?(username: string, options?: AuthCallOptions): Promise<boolean>;
  dispose?(): Promise<void>;
}

/** Capabilities an auth provider declares. */
export interface AuthCapabilities {
  readonly password?: boolean;
  readonly federated?: boolean;
  readonly redirect?: boolean;
  readonly mayUseOwnResources?: boolean;
}
