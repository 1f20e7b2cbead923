import { describe, expect, it } from "vitest";
import { AppError, instantiate } from "@calipso/core";
import { testContext } from "@calipso/core/testing";
import { guacamoleDesktop } from "../provider.ts";
import { verifyJsonToken } from "./token.ts";

const KEY = "00112233445566778899aabbccddeeff";
const config = { mode: "json", guacamoleUrl: "https://desk.example.org/guacamole/", secretKey: KEY, tokenTtlSeconds: 30 } as const;
const reg = (instanceId: string, secret = "vncpass1-and-more") => ({
  instanceId,
  owner: "ada",
  title: "t",
  endpoint: { host: "10.0.0.9", port: 5901, protocol: "vnc" as const },
  secret,
});
const tokenOf = (url: string) => decodeURIComponent(url.split("#/?data=")[1]!);

describe("json mode", () => {
  it("[json-06] access returns {guacamoleUrl}/#/?data=<token> whose JSON names the user, one connection, expiry and singleUse", async () => {
    const desktop = await instantiate(guacamoleDesktop, config, testContext());
    const handle = await desktop.register(reg("j-1"));
    const before = Date.now();
    const access = await desktop.access(handle, { username: "ada" });
    expect(access.url.startsWith("https://desk.example.org/guacamole/#/?data=")).toBe(true);
    const payload = await verifyJsonToken(tokenOf(access.url), KEY);
    expect(payload).toMatchObject({ username: "ada", singleUse: true });
    expect(payload.connections).toEqual({ "calipso-j-1": { protocol: "vnc", parameters: { hostname: "10.0.0.9", port: "5901", password: "vncpass1" } } });
    expect(payload.expires).toBe(access.expiresAt.getTime());
    expect(payload.expires! - before).toBeGreaterThanOrEqual(30_000);
    expect(payload.expires! - before).toBeLessThan(40_000);
    const viewer = await verifyJsonToken(tokenOf((await desktop.access(handle, { username: "bob", readOnly: true })).url), KEY);
    expect(viewer.connections["calipso-j-1"]?.parameters["read-only"]).toBe("true");
  });

  it("[S5] json: after release no new access is handed out, from any instance; each desktop keeps its own secret", async () => {
    const a = await instantiate(guacamoleDesktop, config, testContext());
    const b = await instantiate(guacamoleDesktop, config, testContext());
    const h1 = await a.register(reg("j-s5-1", "secretA1"));
    const h2 = await a.register(reg("j-s5-2", "secretB2"));
    await a.release(h1);
    await expect(a.access(h1, { username: "ada" })).rejects.toSatisfy((e) => AppError.is(e, "NOT_FOUND"));
    await expect(b.access(h1, { username: "ada" })).rejects.toSatisfy((e) => AppError.is(e, "NOT_FOUND"));
    const p2 = await verifyJsonToken(tokenOf((await b.access(h2, { username: "ada" })).url), KEY);
    expect(p2.connections["calipso-j-s5-2"]?.parameters.password).toBe("secretB2");
  });

  it("[S6] json: the secret is encrypted in the handle and never readable in the URL", async () => {
    const desktop = await instantiate(guacamoleDesktop, config, testContext());
    const handle = await desktop.register(reg("j-s6", "PlainSecret9"));
    expect(JSON.stringify(handle)).not.toContain("PlainSecret9");
    const { url } = await desktop.access(handle, { username: "ada" });
    expect(url).not.toContain("PlainSecret");
    expect(decodeURIComponent(url)).not.toContain("PlainSecret");
    expect(Buffer.from(tokenOf(url), "base64").toString("latin1")).not.toContain("PlainSecret");
  });
});
