/** Conformance of both static definitions (the kit of @calipso/sdk/testing). */
import { describeAuthProvider, describeExperimentSource } from "@calipso/sdk/testing";
import { staticAuth } from "./auth.ts";
import type { StaticConfig } from "./config.ts";
import { staticExperiments } from "./experiments.ts";
import { hashPassword } from "./password.ts";

const config: StaticConfig = {
  users: [
    { username: "alice", passwordHash: await hashPassword("alice-pw", { iterations: 1000 }), mayUseOwnResources: true },
    { username: "bob", passwordHash: await hashPassword("bob-pw", { iterations: 1000 }) },
  ],
  experiments: [
    { proposalId: "P-ALICE", title: "Alice's", sessions: [{ id: "1", startsAt: "2026-01-01T00:00:00Z", datasets: [{ path: "P-ALICE/raw" }] }] },
    { proposalId: "P-BOB", title: "Bob's" },
  ],
  memberships: [
    { username: "alice", proposalId: "P-ALICE" },
    { username: "bob", proposalId: "P-BOB" },
  ],
};
const invalidConfigs = [
  { config: { users: [{ username: "x", passwordHash: "plaintext" }] }, field: "users.0.passwordHash" },
  { config: { memberships: [{ username: "x", proposalId: "NOPE" }] }, field: "memberships.0.proposalId" },
];

describeAuthProvider({
  definition: staticAuth,
  config,
  invalidConfigs,
  password: { valid: { username: "alice", password: "alice-pw" }, invalid: [{ username: "alice", password: "bob-pw" }, { username: "nobody", password: "alice-pw" }] },
  mayUseOwnResources: { allowed: ["alice"], denied: ["bob"] },
});

describeExperimentSource({
  definition: staticExperiments,
  config,
  invalidConfigs,
  fixtures: { username: "alice", memberOf: "P-ALICE", notMemberOf: "P-BOB" },
});
