/**
 * @module Single-use tunnel access tokens: random 160-bit values, kept only as SHA-256 hashes,
 * bound to one user and one desktop, expiring within seconds, consumed by their first use.
 */
import { AppError, createToken, hashToken } from "@calipso/core";
import type { DesktopHandle } from "@calipso/core";

/** What a token grants. */
export interface TunnelGrant {
  readonly handle: DesktopHandle;
  readonly username: string;
  readonly readOnly: boolean;
  readonly expiresAt: Date;
}

/** Issues and redeems tunnel tokens (in memory: the tunnel runs in the process that minted them). */
export class TunnelTokens {
  private readonly grants = new Map<string, TunnelGrant>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => Date,
  ) {}

  /** Mints a token for one user and one desktop. */
  issue(handle: DesktopHandle, username: string, readOnly: boolean): { token: string; expiresAt: Date } {
    this.prune();
    const token = createToken();
    const expiresAt = new Date(this.now().getTime() + this.ttlMs);
    this.grants.set(hashToken(token), { handle, username, readOnly, expiresAt });
    return { token, expiresAt };
  }

  /**
   * Consumes a token presented for desktop `handleId` (and, when the host knows who is
   * connecting, by `username`). The token is gone after this call, whatever the outcome.
   * Throws `UNAUTHENTICATED` for an unknown, used or expired token and `FORBIDDEN` when it was
   * issued for another desktop or another user.
   */
  redeem(token: string, handleId: string, username?: string): TunnelGrant {
    const key = hashToken(token);
    const grant = this.grants.get(key);
    this.grants.delete(key);
    if (!grant || grant.expiresAt.getTime() <= this.now().getTime()) {
      throw new AppError("UNAUTHENTICATED", { detail: "Access token is invalid, used or expired", provider: "guacamole" });
    }
    if (grant.handle.id !== handleId || (username !== undefined && username !== grant.username)) {
      throw new AppError("FORBIDDEN", { detail: "Access token was issued for another desktop or user", provider: "guacamole" });
    }
    return grant;
  }

  /** Forgets every token of a desktop (on release). */
  revoke(handleId: string): void {
    for (const [key, grant] of this.grants) if (grant.handle.id === handleId) this.grants.delete(key);
  }

  /** Number of live tokens (for tests and metrics). */
  get size(): number {
    this.prune();
    return this.grants.size;
  }

  private prune(): void {
    const t = this.now().getTime();
    for (const [key, grant] of this.grants) if (grant.expiresAt.getTime() <= t) this.grants.delete(key);
  }
}
