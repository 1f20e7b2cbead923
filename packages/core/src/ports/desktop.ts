/** @module The RemoteDesktop port: the gateway that opens a workload in the browser. */
import type { DesktopHandle, Endpoint } from "../domain/instance.ts";

/** What the gateway needs to register an instance's desktop. */
export interface DesktopRegistration {
  readonly instanceId: string;
  /** Owner's username (for display and audit at the gateway). */
  readonly owner: string;
  readonly endpoint: Endpoint;
  /** The per-instance secret (VNC/RDP password). */
  readonly secret: string;
  /** A human-readable name for the connection. */
  readonly title: string;
}

/** A short-lived way in. */
export interface DesktopAccess {
  readonly url: string;
  readonly expiresAt: Date;
}

/**
 * Registers desktops at a gateway and hands out short-lived access. `release` is idempotent
 * and removes every credential of the instance from the gateway.
 */
export interface RemoteDesktop {
  register(registration: DesktopRegistration, options?: { signal?: AbortSignal }): Promise<DesktopHandle>;
  access(handle: DesktopHandle, user: { username: string; readOnly?: boolean }): Promise<DesktopAccess>;
  release(handle: DesktopHandle): Promise<void>;
  /** Every registration the gateway holds (for the reconciler): capability `list`. */
  list?(): Promise<readonly { handle: DesktopHandle; instanceId: string }[]>;
  /** Last keyboard or mouse input: capability `activity`. */
  lastActivity?(handle: DesktopHandle): Promise<Date | null>;
  dispose?(): Promise<void>;
}

/** Capabilities a remote desktop declares. */
export interface DesktopCapabilities {
  readonly list?: boolean;
  readonly activity?: boolean;
  readonly readOnlyAccess?: boolean;
  readonly protocols?: readonly Endpoint["protocol"][];
}
