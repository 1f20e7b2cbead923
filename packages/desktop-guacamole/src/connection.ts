/** @module Guacamole connection parameters for a registered desktop, shared by every mode. */
import { AppError } from "@calipso/core";
import type { DesktopRegistration } from "@calipso/core";

/** Protocols guacd speaks that Calipso registers. */
export const GUACAMOLE_PROTOCOLS = ["vnc", "rdp", "ssh"] as const;
export type GuacamoleProtocol = (typeof GUACAMOLE_PROTOCOLS)[number];

/** The settings of a mode that shape connection parameters. */
export interface ParameterSettings {
  readonly rdp: { readonly security: string; readonly ignoreCert: boolean };
  readonly connectionParameters: Readonly<Record<string, string>>;
}

/** The guacd protocol of a registration; `http` endpoints cannot be opened through Guacamole. */
export function guacamoleProtocol(registration: DesktopRegistration): GuacamoleProtocol {
  const p = registration.endpoint.protocol;
  if (p === "vnc" || p === "rdp" || p === "ssh") return p;
  throw new AppError("UNSUPPORTED", { detail: `Guacamole cannot open a ${p} endpoint`, provider: "guacamole" });
}

/**
 * Connection parameters for guacd: hostname, port, password, plus per-protocol settings
 * (RDP `security` and `ignore-cert`) and the configured extras. VNC passwords are cut to
 * 8 characters, the VNC protocol's limit.
 */
export function connectionParameters(registration: DesktopRegistration, settings: ParameterSettings): Record<string, string> {
  const protocol = guacamoleProtocol(registration);
  const params: Record<string, string> = { ...settings.connectionParameters };
  params.hostname = registration.endpoint.host;
  params.port = String(registration.endpoint.port);
  params.password = protocol === "vnc" ? registration.secret.slice(0, 8) : registration.secret;
  if (protocol === "rdp") {
    params.security = settings.rdp.security;
    if (settings.rdp.ignoreCert) params["ignore-cert"] = "true";
  }
  return params;
}

/** Gateway-side name of an instance's connection (and per-instance user): unique per instance. */
export function gatewayName(prefix: string, instanceId: string): string {
  const name = `${prefix}${instanceId}`;
  if (name.length > 128 || !/^[A-Za-z0-9._:-]+$/.test(instanceId)) {
    throw new AppError("VALIDATION_FAILED", { detail: "instanceId must be 1-88 characters of letters, digits, '.', '_', ':' or '-'", provider: "guacamole" });
  }
  return name;
}
