/** @module Test harness for the server's end-to-end suites: createApp over core's test Calipso, and cookie-keeping clients. */
import { createTestCalipso } from "@calipso/core/testing";
import type { TestCalipso, TestCalipsoOptions } from "@calipso/core/testing";
import { createApp } from "@calipso/server";
import type { AppOptions } from "@calipso/server";
import { swaggerUiAssets } from "@calipso/server/node";

export const ORIGIN = "http://localhost";

export interface Harness {
  readonly t: TestCalipso;
  readonly app: ReturnType<typeof createApp>;
  /** A client logged in as `username` (fixture password) with its cookie and CSRF token. */
  login(username: string): Promise<Client>;
  /** A client with no session. */
  anonymous(): Client;
}

export interface Client {
  readonly username: string | undefined;
  cookie: string | undefined;
  csrf: string | undefined;
  /** Sends a request like a same-origin browser page would (cookie, Origin, CSRF header). */
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T; res: Response }>;
}

/** The `name=value` of a Set-Cookie header. */
export function cookieOf(res: Response, name = "calipso_session"): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    if (pair?.startsWith(`${name}=`) && pair.length > name.length + 1) return pair;
  }
  return undefined;
}

export async function createHarness(options: { calipso?: TestCalipsoOptions; app?: AppOptions } = {}): Promise<Harness> {
  const t = await createTestCalipso(options.calipso ?? {});
  const app = createApp(t.calipso, { docsAssets: swaggerUiAssets(), csrfKey: new Uint8Array(32).fill(7), ...options.app });
  const client = (username?: string): Client => {
    const c: Client = {
      username,
      cookie: undefined,
      csrf: undefined,
      async req(method, path, body, headers = {}) {
        const h: Record<string, string> = { origin: ORIGIN, ...headers };
        if (c.cookie) h["cookie"] = c.cookie;
        if (c.csrf) h["x-csrf-token"] = c.csrf;
        if (body !== undefined) h["content-type"] = "application/json";
        const init: RequestInit = { method, headers: h };
        if (body !== undefined) init.body = JSON.stringify(body);
        const res = await app.request(path, init);
        const set = cookieOf(res);
        if (set) c.cookie = set;
        return res;
      },
      async json(method, path, body, headers) {
        const res = await c.req(method, path, body, headers);
        const text = await res.text();
        return { status: res.status, body: text ? JSON.parse(text) : undefined, res };
      },
    };
    return c;
  };
  return {
    t,
    app,
    anonymous: () => client(),
    async login(username) {
      const c = client(username);
      const password = `${username}-pw`;
      const r = await c.json("POST", "/api/v1/auth/login", { username, password });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
      c.csrf = r.body.csrfToken;
      return c;
    },
  };
}
