/** Conformance of both facility-http definitions against the reference user office on loopback. */
import { hashOfficePassword, startUserOffice } from "@calipso/example-user-office";
import type { RunningUserOffice } from "@calipso/example-user-office";
import { describeAuthProvider, describeExperimentSource } from "@calipso/sdk/testing";
import { afterAll } from "vitest";
import { facilityHttpAuth } from "./auth.ts";
import type { FacilityHttpConfig } from "./config.ts";
import { facilityHttpExperiments } from "./experiments.ts";

// Top-level await: the suites are registered with the office's real URL.
const office: RunningUserOffice = await startUserOffice({
  service: { username: "calipso", passwordHash: hashOfficePassword("svc-pw", 1000) },
  accounts: [
    { login: "alice", passwordHash: hashOfficePassword("alice-pw", 1000), eaaHashes: ["hash-alice"], mayUseOwnResources: true },
    { login: "bob", passwordHash: hashOfficePassword("bob-pw", 1000) },
  ],
  experiments: [
    { proposal_id: "P-ALICE", subject: "Alice's", members: ["alice"], sessions: [{ session_number: 1, start_date: "2026-01-01T00:00:00Z" }] },
    { proposal_id: "P-BOB", subject: "Bob's", members: ["bob"] },
  ],
});
afterAll(() => office.close());

const config: FacilityHttpConfig = {
  loginUrl: `${office.url}/login/`,
  umbrellaHashUrl: `${office.url}/umbrella/hash/`,
  isAuthorizedUrl: `${office.url}/users/is-authorized/`,
  experimentsUrl: `${office.url}/experiments/$USERNAME/`,
  credentials: { username: "calipso", password: "svc-pw" },
  umbrella: { trustedProxies: ["127.0.0.1"] },
};
const invalidConfigs = [
  { config: { ...config, loginUrl: "not a url" }, field: "loginUrl" },
  { config: { ...config, experimentsUrl: `${office.url}/experiments/` }, field: "experimentsUrl" },
  { config: { ...config, http: { timeoutMs: -1 } }, field: "http.timeoutMs" },
];

describeAuthProvider({
  definition: facilityHttpAuth,
  config,
  invalidConfigs,
  password: { valid: { username: "alice", password: "alice-pw" }, invalid: [{ username: "alice", password: "bob-pw" }, { username: "nobody", password: "x" }] },
  federated: {
    valid: { attributes: { eaahash: "hash-alice", uid: "alice" }, remoteAddress: "127.0.0.1" },
    username: "alice",
    invalid: [
      { attributes: { eaahash: "unknown-hash", uid: "alice" }, remoteAddress: "127.0.0.1" },
      { attributes: { eaahash: "hash-alice", uid: "alice" }, remoteAddress: "192.0.2.7" },
      { attributes: { uid: "alice" }, remoteAddress: "127.0.0.1" },
    ],
  },
  mayUseOwnResources: { allowed: ["alice"], denied: ["bob"] },
});

describeExperimentSource({
  definition: facilityHttpExperiments,
  config,
  invalidConfigs,
  fixtures: { username: "alice", memberOf: "P-ALICE", notMemberOf: "P-BOB" },
});
