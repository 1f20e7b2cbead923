import { hashOfficePassword, startUserOffice } from "@calipso/example-user-office";
import type { RunningUserOffice } from "@calipso/example-user-office";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFacilityHttp } from "./test-helpers.ts";

let office: RunningUserOffice;
const seen: string[] = [];

beforeAll(async () => {
  office = await startUserOffice(
    {
      service: { username: "calipso", passwordHash: hashOfficePassword("svc-pw", 1000) },
      accounts: [
        { login: "alice", passwordHash: hashOfficePassword("alice-pw", 1000), eaaHashes: ["hash-alice"], mayUseOwnResources: true },
        { login: "bob", passwordHash: hashOfficePassword("bob-pw", 1000), eaaHashes: ["hash-bob"] },
        { login: "admin", passwordHash: hashOfficePassword("admin-pw", 1000) },
      ],
    },
    { onRequest: (r) => seen.push(`${r.method} ${new URL(r.url).pathname}`) },
  );
});
afterAll(() => office.close());

const config = () => ({
  loginUrl: `${office.url}/login/`,
  umbrellaHashUrl: `${office.url}/umbrella/hash/`,
  isAuthorizedUrl: `${office.url}/users/is-authorized/`,
  credentials: { username: "calipso", password: "svc-pw" },
  umbrella: { trustedProxies: ["127.0.0.1"] },
});

describe("facility-http auth against the reference user office", () => {
  it("[fh/login-01] a right password logs in", async () => {
    const { auth } = await createFacilityHttp(config());
    await expect(auth.password!("alice", "alice-pw")).resolves.toEqual({ username: "alice" });
  });

  it("[fh/login-02] a wrong password or an unknown user is refused with UNAUTHENTICATED", async () => {
    const { auth } = await createFacilityHttp(config());
    await expect(auth.password!("alice", "bob-pw")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(auth.password!("nobody", "x")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("[fh/login-03] a malformed username is refused without calling the user office", async () => {
    const { auth } = await createFacilityHttp(config());
    const before = seen.length;
    await expect(auth.password!("../admin", "x")).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(seen.length).toBe(before);
  });

  it("[fh/umbrella-01] a valid hash logs in as the login the user office returns", async () => {
    const { auth } = await createFacilityHttp(config());
    await expect(auth.federated!({ attributes: { eaahash: "hash-alice", uid: "alice" }, remoteAddress: "127.0.0.1" })).resolves.toEqual({ username: "alice" });
  });

  it("[fh/umbrella-02][S1] a valid hash with a different uid logs in as the user office's login, never as the uid", async () => {
    const { auth } = await createFacilityHttp(config());
    const identity = await auth.federated!({ attributes: { eaahash: "hash-bob", uid: "admin" }, remoteAddress: "127.0.0.1" });
    expect(identity.username).toBe("bob");
  });

  it("[fh/umbrella-03][S1] a forged uid without a valid hash is refused", async () => {
    const { auth } = await createFacilityHttp(config());
    await expect(auth.federated!({ attributes: { uid: "admin" }, remoteAddress: "127.0.0.1" })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(auth.federated!({ attributes: { eaahash: "not-a-hash", uid: "admin" }, remoteAddress: "127.0.0.1" })).rejects.toMatchObject({
      code: "UNAUTHENTICATED",
      meta: { reason: "umbrella-not-linked" },
    });
  });

  it("[fh/umbrella-04][S1] attributes from an address that is not a trusted proxy are ignored, before any call", async () => {
    const { auth } = await createFacilityHttp(config());
    const before = seen.length;
    await expect(auth.federated!({ attributes: { eaahash: "hash-alice", uid: "admin" }, remoteAddress: "10.1.2.3" })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(auth.federated!({ attributes: { eaahash: "hash-alice", uid: "admin" } })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(seen.length).toBe(before);
    // An IPv4-mapped IPv6 form of a trusted address is the same peer.
    await expect(auth.federated!({ attributes: { eaahash: "hash-alice" }, remoteAddress: "::ffff:127.0.0.1" })).resolves.toEqual({ username: "alice" });
  });

  it("[fh/umbrella-05] attribute names are configurable", async () => {
    const { auth } = await createFacilityHttp({ ...config(), umbrella: { hashAttribute: "X-EAA-Hash", trustedProxies: [] } });
    await expect(auth.federated!({ attributes: { "x-eaa-hash": "hash-bob" } })).resolves.toEqual({ username: "bob" });
  });

  it("[fh/own-01] may-use-own-resources asks the user office with Basic auth", async () => {
    const { auth } = await createFacilityHttp(config());
    expect(await auth.mayUseOwnResources!("alice")).toBe(true);
    expect(await auth.mayUseOwnResources!("bob")).toBe(false);
    expect(await auth.mayUseOwnResources!("stranger")).toBe(false);
  });

  it("[fh/own-02] wrong service credentials give PROVIDER_ERROR (not a silent false)", async () => {
    const { auth } = await createFacilityHttp({ ...config(), credentials: { username: "calipso", password: "wrong" } });
    await expect(auth.mayUseOwnResources!("alice")).rejects.toMatchObject({ code: "PROVIDER_ERROR" });
  });

  it("[fh/own-03] ownResourcesDefault answers without a call (seed BACKEND_DEFAULT_AUTHORIZATION)", async () => {
    const { auth } = await createFacilityHttp({ ...config(), ownResourcesDefault: true });
    const before = seen.length;
    expect(await auth.mayUseOwnResources!("bob")).toBe(true);
    expect(seen.length).toBe(before);
  });

  it("[fh/config-01] rejects an experiments URL without $USERNAME and unknown keys", async () => {
    await expect(createFacilityHttp({ experimentsUrl: "http://127.0.0.1/x/" })).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(createFacilityHttp({ loginUrl: "ftp://x/" })).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(createFacilityHttp({ password: "x" } as never)).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  });
});
