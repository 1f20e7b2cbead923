/**
 * @module The reference user office: a Hono app that implements the CalipsoPlus user-office REST
 * contract (login, Umbrella hash, is-authorized, experiments) over a data file. It is the peer of
 * Calipso's facility-http tests and a starting point for facilities.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { z } from "zod";
import type { UserOfficeData } from "./data.ts";
import { checkOfficePassword } from "./password.ts";
import { toPythonLiteral } from "./python-literal.ts";

/** Options of {@link createUserOfficeApp}. */
export interface UserOfficeOptions {
  /** Called for every request before it is handled (tests count calls with it). */
  readonly onRequest?: (request: Request) => void;
  /** Default and maximum page sizes of the experiments listing. */
  readonly defaultPageSize?: number;
  readonly maxPageSize?: number;
}

const ORDERING = ["proposal_id", "subject", "body", "beam_line"] as const;
type Experiment = UserOfficeData["experiments"][number];

const LoginBody = z.object({ username: z.string().min(1), password: z.string() });
const HashBody = z.object({ eaa_hash: z.string().min(1) });
const AuthorizedBody = z.object({ login: z.string().min(1) });

async function jsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T | undefined> {
  try {
    const parsed = schema.safeParse(await c.req.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function serialiseExperiment(e: Experiment, sessionKey: UserOfficeData["sessionNumberKey"]) {
  return {
    subject: e.subject,
    proposal_id: e.proposal_id,
    body: e.body,
    beam_line: e.beam_line,
    uid: e.uid ?? null,
    gid: e.gid ?? null,
    sessions: e.sessions.map((s) => ({
      [sessionKey]: s.session_number,
      start_date: s.start_date ?? null,
      end_date: s.end_date ?? null,
      subject: s.subject,
      body: s.body,
      data_set_path:
        s.data_set_path === undefined
          ? null
          : typeof s.data_set_path === "string"
            ? s.data_set_path
            : s.data_set_path_format === "python"
              ? toPythonLiteral(s.data_set_path)
              : JSON.stringify(s.data_set_path),
    })),
  };
}

/**
 * Creates the reference user-office app.
 *
 * Routes: `POST /login/`, `POST /umbrella/hash/`, `POST /users/is-authorized/` (Basic auth),
 * `GET /experiments/{login}/` (Basic auth; `page`, `page_size`, `ordering`, `search`).
 *
 * @example
 * const app = createUserOfficeApp(await loadUserOfficeData("data/sample.yaml"));
 * serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 8090 });
 */
export function createUserOfficeApp(data: UserOfficeData, options: UserOfficeOptions = {}): Hono {
  const app = new Hono();
  const accounts = new Map(data.accounts.map((a) => [a.login, a]));
  const byHash = new Map(data.accounts.flatMap((a) => a.eaaHashes.map((h) => [h, a.login] as const)));
  const defaultPageSize = options.defaultPageSize ?? 10;
  const maxPageSize = options.maxPageSize ?? 100;

  app.use(async (c, next) => {
    options.onRequest?.(c.req.raw);
    await next();
  });

  const serviceAuthorised = (c: Context): boolean => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
    const colon = decoded.indexOf(":");
    const user = colon >= 0 ? decoded.slice(0, colon) : "";
    const password = colon >= 0 ? decoded.slice(colon + 1) : "";
    const ok = checkOfficePassword(password, data.service.passwordHash);
    return ok && user === data.service.username;
  };
  const unauthorised = (c: Context) => {
    c.header("WWW-Authenticate", 'Basic realm="user-office"');
    return c.json({ detail: "Authentication credentials were not provided or are wrong." }, 401);
  };

  app.post("/login/", async (c) => {
    const body = await jsonBody(c, LoginBody);
    if (!body) return c.json("Expected 'username' and 'password'", 400);
    const account = accounts.get(body.username);
    if (!checkOfficePassword(body.password, account?.passwordHash)) return c.json("Unable to authenticate", 401);
    return c.json({ login: account!.login }, 200);
  });

  app.post("/umbrella/hash/", async (c) => {
    const body = await jsonBody(c, HashBody);
    if (!body) return c.json({ msg: "Expected 'eaa_hash'" }, 400);
    const login = byHash.get(body.eaa_hash);
    if (!login) return c.json({ msg: "user not found" }, 404);
    return c.json({ login }, 200);
  });

  app.post("/users/is-authorized/", async (c) => {
    if (!serviceAuthorised(c)) return unauthorised(c);
    const body = await jsonBody(c, AuthorizedBody);
    if (!body) return c.json({ msg: "Expected 'login'" }, 400);
    const account = accounts.get(body.login);
    if (!account) return c.json({ msg: "user not found" }, 404);
    return c.json({ result: account.mayUseOwnResources }, 200);
  });

  app.get("/experiments/:login/", (c) => {
    if (!serviceAuthorised(c)) return unauthorised(c);
    const login = c.req.param("login");
    const url = new URL(c.req.url);
    const q = url.searchParams;
    const search = (q.get("search") ?? "").toLowerCase();
    const ordering = q.get("ordering") ?? "proposal_id";
    const field = ordering.replace(/^-/, "");
    if (!(ORDERING as readonly string[]).includes(field)) return c.json({ detail: `Invalid ordering field ${field}` }, 400);
    const pageSize = Math.min(maxPageSize, Number(q.get("page_size") ?? defaultPageSize));
    const page = Number(q.get("page") ?? 1);
    if (!Number.isInteger(pageSize) || pageSize < 1 || !Number.isInteger(page) || page < 1) return c.json({ detail: "Invalid page." }, 404);

    const key = field as (typeof ORDERING)[number];
    const rows = data.experiments
      .filter((e) => e.members.includes(login))
      .filter((e) => !search || [e.proposal_id, e.subject, e.body, e.beam_line].some((v) => v.toLowerCase().includes(search)))
      .sort((a, b) => a[key].localeCompare(b[key]) * (ordering.startsWith("-") ? -1 : 1));
    const pages = Math.max(1, Math.ceil(rows.length / pageSize));
    if (page > pages) return c.json({ detail: "Invalid page." }, 404);
    const link = (p: number) => {
      const u = new URL(url);
      u.searchParams.set("page", String(p));
      return u.toString();
    };
    return c.json({
      count: rows.length,
      next: page < pages ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: rows.slice((page - 1) * pageSize, page * pageSize).map((e) => serialiseExperiment(e, data.sessionNumberKey)),
    });
  });

  app.notFound((c) => c.json({ detail: "Not found." }, 404));
  return app;
}
