/** @module The `guacamole` provider's desktop handles: JSON state that survives a restart. */
import { AppError, DesktopHandleSchema } from "@calipso/core";
import type { DesktopHandle, DesktopRegistration, Secrets } from "@calipso/core";
import { z } from "zod";
import { guacamoleProtocol } from "./connection.ts";

/** Name of the provider, also written into every handle. */
export const PROVIDER_NAME = "guacamole";

/** What a `json` or `tunnel` handle keeps: where the desktop is and its secret, encrypted. */
export const EndpointStateSchema = z.strictObject({
  mode: z.enum(["json", "tunnel"]),
  instanceId: z.string().min(1),
  protocol: z.enum(["vnc", "rdp", "ssh"]),
  host: z.string().min(1),
  port: z.number().int(),
  secret: z.string().min(1).describe("The desktop secret, encrypted with the server key"),
});
export type EndpointState = z.infer<typeof EndpointStateSchema>;

/** Builds the handle of a json/tunnel registration; the secret is stored only encrypted. */
export async function endpointHandle(mode: "json" | "tunnel", name: string, registration: DesktopRegistration, secrets: Secrets): Promise<DesktopHandle> {
  const state: EndpointState = {
    mode,
    instanceId: registration.instanceId,
    protocol: guacamoleProtocol(registration),
    host: registration.endpoint.host,
    port: registration.endpoint.port,
    secret: await secrets.encrypt(registration.secret),
  };
  return { provider: PROVIDER_NAME, id: name, state };
}

/** Reads a handle of this provider and mode; a foreign or malformed handle is `NOT_FOUND`. */
export function readHandle<S extends z.ZodType>(handle: DesktopHandle, schema: S): z.output<S> {
  const h = DesktopHandleSchema.safeParse(handle);
  const state = h.success && h.data.provider === PROVIDER_NAME ? schema.safeParse(h.data.state) : undefined;
  if (!state?.success) throw new AppError("NOT_FOUND", { detail: "No such desktop at this gateway", provider: PROVIDER_NAME });
  return state.data;
}

/** Reads a json/tunnel handle and checks that its id is the one its state implies (else NOT_FOUND). */
export function readEndpointHandle(handle: DesktopHandle, mode: "json" | "tunnel", prefix: string): EndpointState {
  const state = readHandle(handle, EndpointStateSchema);
  if (state.mode !== mode || handle.id !== `${prefix}${state.instanceId}`) {
    throw new AppError("NOT_FOUND", { detail: "No such desktop at this gateway", provider: PROVIDER_NAME });
  }
  return state;
}

/** The registration again, with its secret decrypted (for building connection parameters). */
export async function registrationOf(state: EndpointState, secrets: Secrets): Promise<DesktopRegistration> {
  return {
    instanceId: state.instanceId,
    owner: "",
    title: "",
    endpoint: { host: state.host, port: state.port, protocol: state.protocol },
    secret: await secrets.decrypt(state.secret),
  };
}
