/**
 * @module A ready-made `Calipso` over the memory store and the fakes, with a controllable clock
 * and demo users and experiments: for tests of core and of hosts (e.g. the server).
 */
import type { Calipso, CalipsoDeps, MountConfig } from "../calipso-types.ts";
import { createCalipso } from "../calipso.ts";
import type { QuotaLimits } from "../domain/quota.ts";
import type { TemplateInput } from "../domain/template.ts";
import type { User } from "../domain/user.ts";
import type { AuthProvider } from "../ports/auth.ts";
import { createFakeAuth } from "./fake-auth.ts";
import type { FakeAuthConfig } from "./fake-auth.ts";
import { createFakeCompute } from "./fake-compute.ts";
import type { FakeComputeBackend, FakeComputeConfig } from "./fake-compute.ts";
import { createFakeDesktop } from "./fake-desktop.ts";
import type { FakeDesktopConfig, FakeRemoteDesktop } from "./fake-desktop.ts";
import { createFakeExperiments } from "./fake-experiments.ts";
import type { FakeExperimentInput, FakeExperimentSource } from "./fake-experiments.ts";
import { createMemoryStore } from "./memory-store.ts";
import type { MemoryStore } from "./memory-store.ts";
import { testSecrets } from "./context.ts";

/** A clock that tests move by hand. */
export interface TestClock {
  now(): Date;
  advance(ms: number): void;
  set(at: Date): void;
}

/** A test clock starting at `start` (default 2026-01-01T00:00:00Z). */
export function createTestClock(start = new Date("2026-01-01T00:00:00Z")): TestClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => void (t += ms),
    set: (at) => void (t = at.getTime()),
  };
}

/** The default templates of the fixture: a desktop, a web app and a link. */
export const TEST_TEMPLATES: readonly TemplateInput[] = [
  { name: "desk", title: "Desktop", kind: "desktop", image: "desk:1", resources: { cpu: 1, memoryMiB: 1024 }, timeoutSec: 1, maxLifetimeHours: 2, idleMinutes: 30 },
  { name: "jupyter", title: "Jupyter", kind: "web", image: "jupyter:1", protocol: "http", port: 8888, resources: { cpu: 2, memoryMiB: 2048 }, timeoutSec: 1 },
  { name: "docs", title: "Docs", kind: "link", url: "https://docs.example.org/", resources: { cpu: 0.1, memoryMiB: 1 } },
];

/** Users of the fixture: password = username + "-pw". */
export const TEST_USERS: NonNullable<FakeAuthConfig["users"]> = [
  { username: "alice", password: "alice-pw", displayName: "Alice" },
  { username: "bob", password: "bob-pw", displayName: "Bob" },
  { username: "carol", password: "carol-pw", mayUseOwnResources: true },
  { username: "root", password: "root-pw", roles: ["admin"] },
];

/** Experiments of the fixture. */
export const TEST_EXPERIMENTS: readonly FakeExperimentInput[] = [
  {
    proposalId: "P1",
    title: "Alice's proteins",
    beamline: "BL13",
    posix: { uid: 2001, gid: 2001 },
    members: ["alice"],
    sessions: [
      { id: "s1", startsAt: "2025-05-01T08:00:00Z", datasets: [{ path: "P1/s1/raw" }, { path: "P1/s1/processed" }] },
      { id: "s2", startsAt: "2025-06-01T08:00:00Z", datasets: [{ path: "P1/s2/raw" }] },
    ],
  },
  { proposalId: "P2", title: "Bob's crystals", beamline: "BL04", members: ["bob"], sessions: [{ id: "s1", datasets: [{ path: "P2/s1" }] }] },
  { proposalId: "P3", title: "Shared beamtime", beamline: "BL13", members: ["alice", "bob"], sessions: [{ id: "s1", datasets: [{ path: "P3/s1" }] }] },
];

export interface TestCalipsoOptions {
  readonly quota?: Partial<QuotaLimits>;
  readonly templates?: readonly TemplateInput[];
  readonly compute?: FakeComputeConfig;
  /** `false` for no desktop gateway. */
  readonly desktop?: FakeDesktopConfig | false;
  readonly experiments?: readonly FakeExperimentInput[];
  readonly users?: FakeAuthConfig["users"];
  readonly mounts?: MountConfig;
  readonly abortGraceMs?: number;
  readonly clock?: TestClock;
  readonly deps?: Partial<CalipsoDeps>;
}

/** Everything a test needs around a `Calipso`. */
export interface TestCalipso {
  readonly calipso: Calipso;
  readonly store: MemoryStore;
  readonly auth: AuthProvider;
  readonly source: FakeExperimentSource;
  readonly compute: FakeComputeBackend;
  readonly desktop: FakeRemoteDesktop | undefined;
  readonly clock: TestClock;
  readonly deps: CalipsoDeps;
  /** Logs a fixture user in with their password and returns the stored user. */
  login(username: string): Promise<User>;
  /** The id in the store of an experiment by proposal id. */
  experimentId(proposalId: string): Promise<string>;
}

/**
 * A `Calipso` on the memory store and the fakes, already `init()`ed.
 *
 * @example
 * const t = await createTestCalipso({ quota: { instances: 2 } });
 * const alice = await t.login("alice");
 * const instance = await t.calipso.launch(alice, { template: "desk", experimentId: await t.experimentId("P1") });
 */
export async function createTestCalipso(options: TestCalipsoOptions = {}): Promise<TestCalipso> {
  const clock = options.clock ?? createTestClock();
  const store = createMemoryStore();
  const auth = await createFakeAuth({ users: options.users ?? TEST_USERS, federated: { usernameAttribute: "uid" }, redirect: true });
  const source = await createFakeExperiments({ experiments: [...(options.experiments ?? TEST_EXPERIMENTS)] });
  const compute = await createFakeCompute(options.compute ?? {});
  const desktop = options.desktop === false ? undefined : await createFakeDesktop(options.desktop ?? {}, clock.now);
  const deps: CalipsoDeps = {
    store,
    auth,
    experiments: { name: "fake", source },
    compute: { default: compute },
    ...(desktop ? { desktop } : {}),
    secrets: testSecrets,
    mounts: options.mounts ?? { dataRoot: "/srv/data", outputRoot: "/srv/output", homeRoot: "/srv/home" },
    quota: { instances: 10, cpu: 16, memoryMiB: 32_768, storageGiB: 100, ...options.quota },
    templates: options.templates ?? TEST_TEMPLATES,
    now: clock.now,
    abortGraceMs: options.abortGraceMs ?? 50,
    deploymentId: "test",
    ...options.deps,
  };
  const calipso = createCalipso(deps);
  await calipso.init();
  const users = options.users ?? TEST_USERS;
  return {
    calipso,
    store,
    auth,
    source,
    compute,
    desktop,
    clock,
    deps,
    async login(username) {
      const password = users.find((u) => u.username === username)?.password ?? "";
      return (await calipso.login({ method: "password", username, password })).user;
    },
    async experimentId(proposalId) {
      const e = (await store.experiments.getByProposal("fake", proposalId)) ?? (await store.experiments.upsert("fake", (await source.get(proposalId))!));
      return e.id;
    },
  };
}

/**
 * Polls `check` until it returns true (bounded: rejects after `timeoutMs`). For waiting on
 * background work that `idle()` cannot see, such as a backend finishing after Calipso gave up.
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
