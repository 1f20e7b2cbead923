import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createJsonToken, verifyJsonToken } from "./token.ts";

const KEY = "4c0b569e4c96df157eee1b65dd0e4d41";
const requireReal = process.env.CALIPSO_REQUIRE_REAL === "1";
const hasOpenssl = existsSync("/usr/bin/openssl");
if (requireReal && !hasOpenssl) throw new Error("openssl is required (CALIPSO_REQUIRE_REAL=1): apt-get install -y openssl");

const sh = (script: string, env: Record<string, string>) => execFileSync("bash", ["-c", script], { env: { ...process.env, ...env } });

describe.skipIf(!hasOpenssl)("json tokens against the openssl command line of the Guacamole manual (skipped: /usr/bin/openssl missing)", () => {
  const payload = {
    username: "ada",
    expires: 4102444800000,
    connections: { "calipso-i1": { protocol: "vnc", parameters: { hostname: "10.0.0.5", port: "5901", password: "pä😀ss" } } },
  };

  it("[json-01] is byte-identical to the manual's encrypt-json pipeline", async () => {
    const json = JSON.stringify(payload);
    // The guacamole-auth-json README / doc/encrypt-json.sh pipeline: HMAC, prepend, AES-128-CBC with a zero IV, base64.
    const expected = sh(
      `printf '%s' "$JSON" | openssl dgst -sha256 -mac HMAC -macopt hexkey:"$SECRET_KEY" -binary | cat - <(printf '%s' "$JSON") | openssl enc -aes-128-cbc -K "$SECRET_KEY" -iv "00000000000000000000000000000000" -nosalt -a -A`,
      { JSON: json, SECRET_KEY: KEY },
    ).toString().trim();
    expect(await createJsonToken(payload, KEY)).toBe(expected);
  });

  it("[json-02] decrypts with openssl enc -d and the HMAC checks with openssl dgst", async () => {
    const token = await createJsonToken(payload, KEY);
    const plain = sh(`printf '%s' "$TOKEN" | openssl enc -aes-128-cbc -d -K "$SECRET_KEY" -iv 00000000000000000000000000000000 -a -A`, {
      TOKEN: token,
      SECRET_KEY: KEY,
    });
    const sig = plain.subarray(0, 32);
    const json = plain.subarray(32);
    expect(JSON.parse(json.toString("utf8"))).toEqual(payload);
    const mac = sh(`printf '%s' "$JSON" | openssl dgst -sha256 -mac HMAC -macopt hexkey:"$SECRET_KEY" -binary`, {
      JSON: json.toString("utf8"),
      SECRET_KEY: KEY,
    });
    expect(Buffer.compare(mac, sig)).toBe(0);
  });
});

describe("verifyJsonToken", () => {
  const base = { username: "ada", connections: { c: { protocol: "vnc", parameters: { hostname: "h" } } } };

  it("[json-03] accepts a fresh token and returns its payload", async () => {
    const token = await createJsonToken({ ...base, expires: Date.now() + 60_000 }, KEY);
    expect((await verifyJsonToken(token, KEY)).username).toBe("ada");
  });

  it("[json-04] refuses an expired token", async () => {
    const token = await createJsonToken({ ...base, expires: 1_000 }, KEY);
    await expect(verifyJsonToken(token, KEY)).rejects.toMatchObject({ code: "UNAUTHENTICATED", detail: "Token has expired" });
  });

  it("[json-05] refuses tampered tokens: flipped ciphertext bits, wrong key, forged payload", async () => {
    const token = await createJsonToken({ ...base, expires: Date.now() + 60_000 }, KEY);
    const raw = Buffer.from(token, "base64");
    for (const i of [0, 20, 40, raw.length - 17]) {
      const t = Buffer.from(raw);
      t[i] = t[i]! ^ 0x01;
      await expect(verifyJsonToken(t.toString("base64"), KEY)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    }
    await expect(verifyJsonToken(token, "00000000000000000000000000000001")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    // A forger who knows the format but not the key: encrypt with a key of their own.
    const forged = await createJsonToken({ ...base, username: "mallory", expires: Date.now() + 60_000 }, "ffffffffffffffffffffffffffffffff");
    await expect(verifyJsonToken(forged, KEY)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(verifyJsonToken("not base64 !!", KEY)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
});
