/**
 * @module Process-wide bookkeeping of the `json` and `tunnel` modes, which store nothing at
 * Guacamole: the registrations this process made (for `list()` and reconcile) and the desktops
 * it released (so no new access is handed out for them, from any instance of the provider).
 * Revocation listeners let live tunnels close when their desktop is released elsewhere.
 */
import type { DesktopHandle } from "@calipso/core";

type Listener = (handleId: string) => void;

const live = new Map<string, { handle: DesktopHandle; instanceId: string }>();
const revoked = new Set<string>();
const listeners = new Set<Listener>();
const MAX_REVOKED = 100_000;

const key = (mode: string, id: string) => `${mode}:${id}`;

/** Notes a registration of this process. */
export function noteRegistered(mode: string, handle: DesktopHandle, instanceId: string): void {
  live.set(key(mode, handle.id), { handle, instanceId });
  revoked.delete(key(mode, handle.id));
}

/** Marks a desktop released: forgotten, refused from now on, and announced to listeners. */
export function noteReleased(mode: string, handleId: string): void {
  live.delete(key(mode, handleId));
  revoked.add(key(mode, handleId));
  if (revoked.size > MAX_REVOKED) revoked.delete(revoked.values().next().value!);
  for (const l of listeners) l(handleId);
}

/** Whether a desktop was released in this process. */
export function isReleased(mode: string, handleId: string): boolean {
  return revoked.has(key(mode, handleId));
}

/** Registrations of a mode whose names start with `prefix`. */
export function registered(mode: string, prefix: string): { handle: DesktopHandle; instanceId: string }[] {
  return [...live.entries()].filter(([k]) => k.startsWith(`${mode}:${prefix}`)).map(([, v]) => v);
}

/** Subscribes to releases; returns the unsubscribe function. */
export function onReleased(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
