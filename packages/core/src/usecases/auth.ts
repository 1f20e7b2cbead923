/**
 * @module Login, sessions (random 160-bit tokens, only SHA-256 stored, sliding expiry), logout
 * and personal API tokens (`cal_` prefix, hashed, scoped, revocable).
 */
import { z } from "zod";
import type { LoginRequest, LoginResult } from "../calipso-types.ts";
import { AppError } from "../errors.ts";
import { ApiTokenScopeSchema } from "../domain/session.ts";
import type { ApiTokenRecord, ApiTokenScope } from "../domain/session.ts";
import { IdentitySchema, UsernameSchema, isAdmin } from "../domain/user.ts";
import type { Identity, User } from "../domain/user.ts";
import type { RedirectStart } from "../ports/auth.ts";
import { createId, createToken, hashToken } from "../tokens.ts";
import { audit, validate } from "./context.ts";
import type { Ctx } from "./context.ts";

const RedirectLoginSchema = z.strictObject({ redirectUri: z.url().max(2048) });

/** Prefix of personal API tokens: lets secret scanners and the server tell them from session tokens. */
export const API_TOKEN_PREFIX = "cal_";

const LoginRequestSchema = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("password"), username: UsernameSchema, password: z.string().min(1).max(1024) }),
  z.strictObject({
    method: z.literal("federated"),
    attributes: z.record(z.string().max(256), z.string().max(4096)),
    remoteAddress: z.string().max(64).optional(),
  }),
]);

const ApiTokenInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(128),
  scopes: z.array(ApiTokenScopeSchema).min(1).max(3),
  expiresAt: z.date().optional(),
});

const TokenSchema = z.string().min(16).max(256);

function unauthenticated(detail = "Not logged in, or the session has expired"): AppError {
  return new AppError("UNAUTHENTICATED", { detail });
}

function unsupported(what: string): AppError {
  return new AppError("UNSUPPORTED", { detail: `The configured auth provider does not support ${what} logins` });
}

/** Stores the user and opens a session for a verified identity. */
async function openSession(ctx: Ctx, raw: Identity): Promise<LoginResult> {
  const parsed = IdentitySchema.safeParse(raw);
  if (!parsed.success) throw new AppError("PROVIDER_ERROR", { detail: "The identity provider returned an invalid identity", cause: parsed.error });
  // The grant to launch without an experiment is asked live at launch, never frozen from a login.
  const { mayUseOwnResources: _ignored, ...identity } = parsed.data;
  const now = ctx.now();
  const user = await ctx.deps.store.users.upsertFromIdentity(identity, now);
  // The login may have changed the user (name, e-mail, roles): their other cached sessions are stale.
  ctx.sessionCache?.deleteUser(user.id);
  const token = createToken();
  const expiresAt = new Date(now.getTime() + ctx.sessionTtlMs);
  await ctx.deps.store.sessions.create({ tokenHash: hashToken(token), userId: user.id, createdAt: now, expiresAt });
  await audit(ctx, { actor: user.id, action: "user.login", target: `user:${user.id}`, outcome: "success" });
  return { user, token, expiresAt };
}

async function failedLogin(ctx: Ctx, error: unknown, username: string | undefined): Promise<never> {
  await audit(ctx, {
    actor: "anonymous",
    action: "user.login",
    target: username ? `username:${username}` : "user:unknown",
    outcome: "failure",
    detail: { code: AppError.is(error) ? error.code : "INTERNAL" },
  });
  if (AppError.is(error)) throw error;
  throw new AppError("PROVIDER_ERROR", { detail: "The identity provider failed", cause: error });
}

export async function login(ctx: Ctx, request: LoginRequest, options: { signal?: AbortSignal } = {}): Promise<LoginResult> {
  const req = validate(LoginRequestSchema, request, "login request");
  const auth = ctx.deps.auth;
  const call = options.signal ? { signal: options.signal } : {};
  let identity: Identity;
  try {
    if (req.method === "password") {
      if (!auth.password) throw unsupported("password");
      identity = await auth.password(req.username, req.password, call);
    } else {
      if (!auth.federated) throw unsupported("federated");
      identity = await auth.federated(req.remoteAddress !== undefined ? { attributes: req.attributes, remoteAddress: req.remoteAddress } : { attributes: req.attributes }, call);
    }
  } catch (error) {
    return failedLogin(ctx, error, req.method === "password" ? req.username : undefined);
  }
  return openSession(ctx, identity);
}

export async function startRedirectLogin(ctx: Ctx, options: { redirectUri: string }): Promise<RedirectStart> {
  const { redirectUri } = validate(RedirectLoginSchema, options, "redirect login");
  if (!ctx.deps.auth.redirect) throw unsupported("redirect");
  return ctx.deps.auth.redirect.start({ redirectUri });
}

export async function finishRedirectLogin(ctx: Ctx, options: { callbackUrl: string; redirectUri: string; transaction: string }): Promise<LoginResult> {
  const input = validate(
    z.strictObject({ callbackUrl: z.url().max(8192), redirectUri: z.url().max(2048), transaction: z.string().min(1).max(8192) }),
    options,
    "redirect callback",
  );
  if (!ctx.deps.auth.redirect) throw unsupported("redirect");
  let identity: Identity;
  try {
    identity = await ctx.deps.auth.redirect.callback(input);
  } catch (error) {
    return failedLogin(ctx, error, undefined);
  }
  return openSession(ctx, identity);
}

export async function authenticate(ctx: Ctx, token: string): Promise<{ user: User; expiresAt: Date }> {
  if (!TokenSchema.safeParse(token).success) throw unauthenticated();
  const hash = hashToken(token);
  const store = ctx.deps.store;
  const now = ctx.now();
  const cache = ctx.sessionCache;
  const cached = cache?.get(hash, now.getTime());
  let user: User;
  let expiresAt: Date;
  if (cached && cached.expiresAt.getTime() > now.getTime()) {
    ({ user, expiresAt } = cached);
  } else {
    const record = await store.sessions.get(hash);
    if (!record) throw unauthenticated();
    if (record.expiresAt.getTime() <= now.getTime()) {
      cache?.delete(hash);
      await store.sessions.delete(hash);
      throw unauthenticated();
    }
    const found = await store.users.get(record.userId);
    if (!found) throw unauthenticated();
    user = found;
    expiresAt = record.expiresAt;
    cache?.set(hash, user, expiresAt, now.getTime());
  }
  const next = new Date(now.getTime() + ctx.sessionTtlMs);
  // Slide the expiry, writing at most about once a minute per session.
  if (next.getTime() - expiresAt.getTime() >= Math.min(60_000, ctx.sessionTtlMs / 100)) {
    await store.sessions.touch(hash, next);
    if (cached) cached.expiresAt = next;
    else cache?.set(hash, user, next, now.getTime());
    return { user, expiresAt: next };
  }
  return { user, expiresAt };
}

export async function logout(ctx: Ctx, token: string): Promise<void> {
  if (!TokenSchema.safeParse(token).success) return;
  const hash = hashToken(token);
  ctx.sessionCache?.delete(hash);
  const record = await ctx.deps.store.sessions.get(hash);
  await ctx.deps.store.sessions.delete(hash);
  if (record) await audit(ctx, { actor: record.userId, action: "user.logout", target: `user:${record.userId}`, outcome: "success" });
}

type PublicToken = Omit<ApiTokenRecord, "tokenHash">;

function publicToken(record: ApiTokenRecord): PublicToken {
  const { tokenHash: _hash, ...rest } = record;
  return rest;
}

export async function createApiToken(
  ctx: Ctx,
  actor: User,
  input: { name: string; scopes: ApiTokenScope[]; expiresAt?: Date },
): Promise<{ token: string; record: PublicToken }> {
  const parsed = validate(ApiTokenInputSchema, input, "API token");
  const now = ctx.now();
  if (parsed.expiresAt && parsed.expiresAt.getTime() <= now.getTime()) {
    throw new AppError("VALIDATION_FAILED", { detail: "expiresAt must be in the future", meta: { issues: [{ path: "expiresAt", message: "must be in the future" }] } });
  }
  if (parsed.scopes.includes("admin") && !isAdmin(actor)) throw new AppError("FORBIDDEN", { detail: "Only admins may create tokens with the admin scope" });
  const token = `${API_TOKEN_PREFIX}${createToken()}`;
  const record: ApiTokenRecord = {
    id: createId(),
    userId: actor.id,
    name: parsed.name,
    tokenHash: hashToken(token),
    scopes: [...new Set(parsed.scopes)],
    createdAt: now,
    ...(parsed.expiresAt ? { expiresAt: parsed.expiresAt } : {}),
  };
  await ctx.deps.store.apiTokens.create(record);
  await audit(ctx, { actor: actor.id, action: "token.create", target: `token:${record.id}`, outcome: "success", detail: { scopes: record.scopes } });
  return { token, record: publicToken(record) };
}

export async function listApiTokens(ctx: Ctx, actor: User): Promise<readonly PublicToken[]> {
  return (await ctx.deps.store.apiTokens.listForUser(actor.id)).map(publicToken);
}

export async function revokeApiToken(ctx: Ctx, actor: User, id: string): Promise<void> {
  if (typeof id !== "string" || id.length === 0 || id.length > 128 || !(await ctx.deps.store.apiTokens.delete(actor.id, id))) {
    throw new AppError("NOT_FOUND", { detail: "No such API token" });
  }
  await audit(ctx, { actor: actor.id, action: "token.revoke", target: `token:${id}`, outcome: "success" });
}

export async function authenticateApiToken(ctx: Ctx, token: string): Promise<{ user: User; scopes: readonly ApiTokenScope[] }> {
  if (!TokenSchema.safeParse(token).success || !token.startsWith(API_TOKEN_PREFIX)) throw unauthenticated("Invalid API token");
  const store = ctx.deps.store;
  const record = await store.apiTokens.getByHash(hashToken(token));
  const now = ctx.now();
  if (!record || (record.expiresAt && record.expiresAt.getTime() <= now.getTime())) throw unauthenticated("Invalid or expired API token");
  const user = await store.users.get(record.userId);
  if (!user) throw unauthenticated("Invalid API token");
  // Record use, writing at most about once a minute per token.
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() >= 60_000) await store.apiTokens.touch(record.id, now);
  // A token never grants more than its user has now.
  const scopes = record.scopes.filter((s) => s !== "admin" || isAdmin(user));
  return { user, scopes };
}
