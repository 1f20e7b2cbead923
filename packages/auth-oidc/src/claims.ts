/** @module Maps ID-token and userinfo claims to a Calipso identity. */
import { AppError, UsernameSchema } from "@calipso/core";
import type { Identity } from "@calipso/core";
import type { OidcConfigParsed } from "./config.ts";

/** A claim by name or dotted path (`realm_access.roles`). */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let v: unknown = claims;
  for (const part of path.split(".")) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function text(v: unknown, max: number): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim().slice(0, max) : undefined;
}

/** The identity for a set of claims; `UNAUTHENTICATED` when the username claim is missing or unusable. */
export function identityFromClaims(claims: Readonly<Record<string, unknown>>, mapping: OidcConfigParsed["claims"], provider: string): Identity {
  const raw = claimAt(claims, mapping.username);
  const candidate = typeof raw === "string" ? (mapping.lowercaseUsername ? raw.toLowerCase() : raw) : undefined;
  const username = UsernameSchema.safeParse(candidate);
  if (!username.success) {
    throw new AppError("UNAUTHENTICATED", { provider, detail: `The identity provider sent no usable username (claim ${mapping.username})` });
  }
  const rolesClaim = claimAt(claims, mapping.roles);
  const values = Array.isArray(rolesClaim) ? rolesClaim.filter((r): r is string => typeof r === "string") : typeof rolesClaim === "string" ? rolesClaim.split(/[\s,]+/) : [];
  const admin = values.some((v) => mapping.adminValues.includes(v));
  const identity: Identity = { username: username.data, roles: admin ? ["user", "admin"] : ["user"] };
  const displayName = text(claimAt(claims, mapping.displayName), 256);
  const email = text(claimAt(claims, mapping.email), 320);
  if (displayName !== undefined) identity.displayName = displayName;
  if (email !== undefined) identity.email = email;
  return identity;
}
