/**
 * @module A runtime-neutral stand-in for `vitest`, used by `scripts/test-runtimes.mjs`.
 *
 * The runtime bundles alias `vitest` to this file so the same test files run on Node, Deno, Bun and workerd.
 * `expect` is vitest's own (`@vitest/expect` on `chai`), `vi.fn`/`vi.spyOn` are `@vitest/spy`: assertions behave
 * exactly as under vitest and a failing assertion fails the test. What vitest needs a Node host for (module
 * mocking, fake timers, snapshots, env stubs) is not offered here: calling it throws, so such a test fails loudly
 * (the collector excludes files that use it, naming the reason).
 */
import * as chai from "chai";
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  ChaiStyleAssertions,
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  addCustomEqualityTesters,
  customMatchers,
  getState,
  setState,
} from "@vitest/expect";
import * as spy from "@vitest/spy";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(ChaiStyleAssertions);
chai.use(JestAsymmetricMatchers);

const DEFAULT_TIMEOUT = 5_000;
const HOOK_TIMEOUT = 10_000;

/** The test being run, so the global `expect` can attach async assertions to it (as vitest does). */
let currentTest = null;
/** The suite that `describe`/`it` calls register into while a file is being collected. */
let collecting = null;

// ---------------------------------------------------------------------------------------------- expect

function createExpect() {
  const expect = (value, message) => {
    const { assertionCalls } = getState(expect);
    setState({ assertionCalls: assertionCalls + 1 }, expect);
    const assertion = chai.expect(value, message);
    return currentTest ? assertion.withTest(currentTest) : assertion;
  };
  Object.assign(expect, chai.expect);
  Object.assign(expect, globalThis[ASYMMETRIC_MATCHERS_OBJECT]);
  expect.getState = () => getState(expect);
  expect.setState = (state) => setState(state, expect);
  resetExpectState(expect, "");
  expect.assert = chai.assert;
  expect.extend = (matchers) => chai.expect.extend(expect, matchers);
  expect.addEqualityTesters = (testers) => addCustomEqualityTesters(testers);
  // A soft assertion here fails at once instead of at the end of the test: stricter, never laxer.
  expect.soft = (value, message) => expect(value, message);
  expect.poll = (fn, options = {}) => pollExpect(expect, fn, options);
  expect.unreachable = (message) => {
    chai.assert.fail(`expected${message ? ` "${message}" ` : " "}not to be reached`);
  };
  chai.util.addMethod(expect, "assertions", (expected) => {
    expect.setState({
      expectedAssertionsNumber: expected,
      expectedAssertionsNumberErrorGen: () =>
        new Error(`expected number of assertions to be ${expected}, but got ${expect.getState().assertionCalls}`),
    });
  });
  chai.util.addMethod(expect, "hasAssertions", () => {
    expect.setState({
      isExpectingAssertions: true,
      isExpectingAssertionsError: new Error("expected any number of assertion, but got none"),
    });
  });
  expect.extend(customMatchers);
  return expect;
}

function resetExpectState(expect, testName) {
  setState(
    {
      assertionCalls: 0,
      isExpectingAssertions: false,
      isExpectingAssertionsError: null,
      expectedAssertionsNumber: null,
      expectedAssertionsNumberErrorGen: null,
      testPath: "",
      currentTestName: testName,
    },
    expect,
  );
}

/** `expect.poll(fn).matcher(...)`: retries `fn` + matcher until it passes or the timeout ends. */
function pollExpect(expect, fn, { interval = 50, timeout = 1_000, message } = {}) {
  return new Proxy(
    {},
    {
      get(_target, key) {
        return async (...args) => {
          const deadline = Date.now() + timeout;
          for (;;) {
            try {
              return await expect(await fn(), message)[key](...args);
            } catch (error) {
              if (Date.now() >= deadline) throw error;
              await sleep(interval);
            }
          }
        };
      },
    },
  );
}

export const expect = createExpect();
Object.defineProperty(globalThis, GLOBAL_EXPECT, { value: expect, writable: true, configurable: true });
export const assert = chai.assert;
export const should = chai.should;

/** Type-level assertions have no runtime effect under vitest either: a chainable no-op. */
const typeChain = new Proxy(function typeAssertion() {}, {
  get: (_target, key) => (key === "then" ? undefined : typeChain),
  apply: () => typeChain,
});
export const expectTypeOf = () => typeChain;
export const assertType = () => {};

// ---------------------------------------------------------------------------------------------- vi

const stubbedGlobals = new Map();

function unsupported(name) {
  return () => {
    throw new Error(`vi.${name} is not available in the runtime-neutral test shim (Node-only test?)`);
  };
}

export const vi = {
  fn: spy.fn,
  spyOn: spy.spyOn,
  isMockFunction: spy.isMockFunction,
  clearAllMocks: () => (spy.clearAllMocks(), vi),
  resetAllMocks: () => (spy.resetAllMocks(), vi),
  restoreAllMocks: () => (spy.restoreAllMocks(), vi),
  mocked: (value) => value,
  stubGlobal(name, value) {
    if (!stubbedGlobals.has(name)) stubbedGlobals.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true });
    return vi;
  },
  unstubAllGlobals() {
    for (const [name, descriptor] of stubbedGlobals) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete globalThis[name];
    }
    stubbedGlobals.clear();
    return vi;
  },
  async waitFor(callback, options = {}) {
    const { timeout = 1_000, interval = 50 } = typeof options === "number" ? { timeout: options } : options;
    const deadline = Date.now() + timeout;
    for (;;) {
      try {
        return await callback();
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        await sleep(interval);
      }
    }
  },
  async waitUntil(callback, options = {}) {
    const { timeout = 1_000, interval = 50 } = typeof options === "number" ? { timeout: options } : options;
    const deadline = Date.now() + timeout;
    for (;;) {
      const result = await callback();
      if (result) return result;
      if (Date.now() >= deadline) throw new Error("vi.waitUntil timed out");
      await sleep(interval);
    }
  },
  mock: unsupported("mock"),
  doMock: unsupported("doMock"),
  unmock: unsupported("unmock"),
  hoisted: unsupported("hoisted"),
  importActual: unsupported("importActual"),
  importMock: unsupported("importMock"),
  useFakeTimers: unsupported("useFakeTimers"),
  useRealTimers: () => vi,
  isFakeTimers: () => false,
  advanceTimersByTime: unsupported("advanceTimersByTime"),
  advanceTimersByTimeAsync: unsupported("advanceTimersByTimeAsync"),
  runAllTimers: unsupported("runAllTimers"),
  runAllTimersAsync: unsupported("runAllTimersAsync"),
  setSystemTime: unsupported("setSystemTime"),
  stubEnv: unsupported("stubEnv"),
  unstubAllEnvs: () => vi,
};
export const vitest = vi;

// ---------------------------------------------------------------------------------------------- registration

function newSuite(name, parent, mode) {
  return { kind: "suite", name, parent, mode, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
}

function register(node) {
  if (!collecting) throw new Error(`"${node.name}" was registered outside of test collection`);
  node.parent = collecting;
  collecting.children.push(node);
  if (node.mode === "only") collecting.file.hasOnly = true;
}

function modeFromOptions(options, base) {
  if (options && typeof options === "object") {
    if (options.skip) return "skip";
    if (options.only) return "only";
    if (options.todo) return "todo";
  }
  return base;
}

function timeoutFromOptions(options) {
  if (typeof options === "number") return options;
  if (options && typeof options === "object" && typeof options.timeout === "number") return options.timeout;
  return undefined;
}

function collectSuite(name, fn, mode, options) {
  const suite = newSuite(String(name), collecting, modeFromOptions(options, mode));
  suite.file = collecting.file;
  if (typeof fn === "function") suite.factory = fn;
  register(suite);
}

/** Runs the `describe` bodies below `suite` in order, as vitest does after the module loaded (they may be async). */
async function collectChildren(suite) {
  for (const child of suite.children) {
    if (child.kind !== "suite") continue;
    if (child.factory) {
      collecting = child;
      try {
        await child.factory();
      } finally {
        collecting = null;
      }
    }
    await collectChildren(child);
  }
}

function collectTest(name, fn, mode, options, fails = false) {
  // vitest accepts (name, options, fn) as well as (name, fn, options).
  if (typeof options === "function") [fn, options] = [options, fn];
  const node = {
    kind: "test",
    name: String(name),
    fn,
    mode: typeof fn === "function" ? modeFromOptions(options, mode) : "todo",
    timeout: timeoutFromOptions(options) ?? DEFAULT_TIMEOUT,
    fails,
  };
  register(node);
}

function formatTitle(template, args, index) {
  const values = Array.isArray(args) ? args : [args];
  let next = 0;
  let title = String(template).replace(/%[sdifjo#%]/g, (token) => {
    if (token === "%%") return "%";
    if (token === "%#") return String(index);
    const value = values[next++];
    if (token === "%d" || token === "%i") return String(Math.trunc(Number(value)));
    if (token === "%f") return String(Number(value));
    if (token === "%j" || token === "%o") return JSON.stringify(value);
    return typeof value === "string" ? value : chai.util.inspect(value);
  });
  if (!Array.isArray(args) && args && typeof args === "object") {
    title = title.replace(/\$([\w.]+)/g, (match, path) => {
      let value = args;
      for (const key of path.split(".")) value = value?.[key];
      return value === undefined ? match : typeof value === "string" ? value : chai.util.inspect(value);
    });
  }
  return title;
}

function tableFromTemplate(strings, values) {
  const headers = strings[0].split("|").map((h) => h.trim()).filter(Boolean);
  const rows = [];
  for (let i = 0; i < values.length; i += headers.length) {
    rows.push(Object.fromEntries(headers.map((h, j) => [h, values[i + j]])));
  }
  return rows;
}

function withEach(collect) {
  return (table, ...templateValues) => {
    const cases = Array.isArray(table) && table.raw ? tableFromTemplate(table, templateValues) : table;
    return (name, fn, options) => {
      if (typeof options === "function") [fn, options] = [options, fn];
      cases.forEach((args, index) => {
        const spread = Array.isArray(args) ? args : [args];
        collect(formatTitle(name, args, index), () => fn(...spread), options);
      });
    };
  };
}

function makeTestApi() {
  const api = (name, fn, options) => collectTest(name, fn, "run", options);
  api.skip = (name, fn, options) => collectTest(name, fn, "skip", options);
  api.only = (name, fn, options) => collectTest(name, fn, "only", options);
  api.todo = (name) => collectTest(name, undefined, "todo");
  api.fails = (name, fn, options) => collectTest(name, fn, "run", options, true);
  api.concurrent = api;
  api.sequential = api;
  api.skipIf = (condition) => (condition ? api.skip : api);
  api.runIf = (condition) => (condition ? api : api.skip);
  api.each = withEach((name, fn, options) => collectTest(name, fn, "run", options));
  api.for = (cases) => (name, fn, options) =>
    cases.forEach((args, index) => collectTest(formatTitle(name, args, index), (ctx) => fn(args, ctx), "run", options));
  api.skip.each = withEach((name, fn, options) => collectTest(name, fn, "skip", options));
  api.only.each = withEach((name, fn, options) => collectTest(name, fn, "only", options));
  return api;
}

function makeDescribeApi() {
  const api = (name, fn, options) => collectSuite(name, fn, "run", options);
  api.skip = (name, fn, options) => collectSuite(name, fn, "skip", options);
  api.only = (name, fn, options) => collectSuite(name, fn, "only", options);
  api.todo = (name) => collectSuite(name, undefined, "todo");
  api.concurrent = api;
  api.sequential = api;
  api.shuffle = api;
  api.skipIf = (condition) => (condition ? api.skip : api);
  api.runIf = (condition) => (condition ? api : api.skip);
  api.each = withEach((name, fn, options) => collectSuite(name, fn, "run", options));
  api.for = (cases) => (name, fn, options) =>
    cases.forEach((args, index) => collectSuite(formatTitle(name, args, index), () => fn(args), "run", options));
  return api;
}

export const it = makeTestApi();
export const test = it;
export const describe = makeDescribeApi();
export const suite = describe;

function hook(kind) {
  return (fn, timeout) => {
    if (!collecting) throw new Error(`${kind} called outside of test collection`);
    collecting[kind].push({ fn, timeout: typeof timeout === "number" ? timeout : HOOK_TIMEOUT });
  };
}
export const beforeAll = hook("beforeAll");
export const afterAll = hook("afterAll");
export const beforeEach = hook("beforeEach");
export const afterEach = hook("afterEach");

export function onTestFinished(fn) {
  if (!currentTest) throw new Error("onTestFinished must be called inside a test");
  currentTest.cleanups.push(fn);
}
export function onTestFailed(fn) {
  if (!currentTest) throw new Error("onTestFailed must be called inside a test");
  currentTest.onFailed.push(fn);
}
export function inject() {
  throw new Error("inject() is not available in the runtime-neutral test shim");
}

// ---------------------------------------------------------------------------------------------- running

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class SkipSignal extends Error {}

async function withTimeout(promiseFactory, ms, label) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out in ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(promiseFactory), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error) {
  if (error instanceof Error) {
    const lines = [`${error.name}: ${error.message}`];
    if (error.diff) lines.push(String(error.diff));
    return lines.join("\n");
  }
  return String(error);
}

/** A suite or test is effectively skipped when it or an ancestor is, or when `.only` is used elsewhere. */
function isSelected(node, file) {
  if (!file.hasOnly) return true;
  for (let n = node; n; n = n.parent) if (n.mode === "only") return true;
  // A suite is selected when it contains an `only` somewhere below.
  const hasOnlyBelow = (s) => s.kind === "suite" && s.children.some((c) => c.mode === "only" || hasOnlyBelow(c));
  return hasOnlyBelow(node);
}

function isSkipped(node) {
  for (let n = node; n; n = n.parent) if (n.mode === "skip" || n.mode === "todo") return true;
  return false;
}

function fullName(node) {
  const parts = [];
  for (let n = node; n && n.parent; n = n.parent) parts.unshift(n.name);
  return parts.join(" > ");
}

function collectTests(suite) {
  return suite.children.flatMap((c) => (c.kind === "test" ? [c] : collectTests(c)));
}

async function runHooks(list, label, context) {
  const cleanups = [];
  for (const { fn, timeout } of list) {
    const result = await withTimeout(() => fn(context), timeout, label);
    if (typeof result === "function") cleanups.push(result);
  }
  return cleanups;
}

async function runTest(node, file, results) {
  const name = fullName(node);
  const record = (state, error) => results.push({ file: file.name, name, state, ...(error ? { error } : {}) });
  if (isSkipped(node) || !isSelected(node, file)) return record("skip");

  const task = { name: node.name, fullName: name, promises: [], onFinished: [], cleanups: [], onFailed: [] };
  currentTest = task;
  resetExpectState(expect, name);
  const context = {
    expect,
    task,
    signal: new AbortController().signal,
    skip: () => {
      throw new SkipSignal();
    },
    onTestFinished: (fn) => task.cleanups.push(fn),
    onTestFailed: (fn) => task.onFailed.push(fn),
  };
  const suites = [];
  for (let s = node.parent; s; s = s.parent) suites.unshift(s);

  let error = null;
  let skipped = false;
  const cleanups = [];
  try {
    for (const s of suites) cleanups.unshift(...(await runHooks(s.beforeEach, `beforeEach of "${s.name}"`, context)));
    await withTimeout(async () => {
      await node.fn(context);
      await Promise.all(task.promises);
    }, node.timeout, `test "${name}"`);
    const state = expect.getState();
    if (state.expectedAssertionsNumber !== null && state.expectedAssertionsNumber !== state.assertionCalls) {
      throw state.expectedAssertionsNumberErrorGen();
    }
    if (state.isExpectingAssertions && state.assertionCalls === 0) throw state.isExpectingAssertionsError;
  } catch (e) {
    if (e instanceof SkipSignal) skipped = true;
    else error = e;
  }
  const teardown = async (fn, label) => {
    try {
      await withTimeout(fn, HOOK_TIMEOUT, label);
    } catch (e) {
      error ??= e;
    }
  };
  for (const fn of task.cleanups.reverse()) await teardown(fn, "onTestFinished");
  for (const fn of cleanups) await teardown(fn, "beforeEach cleanup");
  for (const s of [...suites].reverse()) {
    for (const h of s.afterEach) await teardown(() => h.fn(context), `afterEach of "${s.name}"`);
  }
  if (error) for (const fn of task.onFailed) await teardown(fn, "onTestFailed");
  if (!file.quiet) for (const fn of task.onFinished) fn(); // warns about async assertions left un-awaited
  currentTest = null;

  if (skipped) return record("skip");
  if (node.fails) return error ? record("pass") : record("fail", "expected test to fail (test.fails) but it passed");
  return error ? record("fail", describeError(error)) : record("pass");
}

async function runSuite(suite, file, results) {
  const tests = collectTests(suite);
  const runnable = tests.filter((t) => !isSkipped(t) && isSelected(t, file));
  if (runnable.length === 0) {
    for (const t of tests) results.push({ file: file.name, name: fullName(t), state: "skip" });
    return;
  }
  let cleanups = [];
  try {
    cleanups = await runHooks(suite.beforeAll, `beforeAll of "${suite.name}"`, {});
  } catch (e) {
    const error = `beforeAll failed: ${describeError(e)}`;
    for (const t of tests) results.push({ file: file.name, name: fullName(t), state: "fail", error });
    return;
  }
  for (const child of suite.children) {
    if (child.kind === "test") await runTest(child, file, results);
    else await runSuite(child, file, results);
  }
  try {
    for (const fn of cleanups) await withTimeout(fn, HOOK_TIMEOUT, "beforeAll cleanup");
    await runHooks(suite.afterAll, `afterAll of "${suite.name}"`, {});
  } catch (e) {
    results.push({ file: file.name, name: `${fullName(suite) || file.name} (afterAll)`, state: "fail", error: describeError(e) });
  }
}

/**
 * Collects and runs test files one after another. `files` is a list of `[name, load, { quiet }?]` where `load()`
 * evaluates the test module (a dynamic import in the bundle), so every file registers into its own root suite;
 * `quiet` drops the un-awaited-assertion warnings (the self-check leaves one un-awaited on purpose).
 * Returns `{ passed, failed, skipped, results }`.
 */
export async function __runFiles(files) {
  const results = [];
  for (const [name, load, options = {}] of files) {
    const root = newSuite("", null, "run");
    const file = { name, hasOnly: false, quiet: Boolean(options.quiet) };
    root.file = file;
    collecting = root;
    try {
      await load();
      await collectChildren(root);
    } catch (e) {
      collecting = null;
      results.push({ file: name, name: "(module evaluation)", state: "fail", error: describeError(e) });
      continue;
    }
    collecting = null;
    if (collectTests(root).length === 0) {
      results.push({ file: name, name: "(no tests)", state: "fail", error: "the file registered no tests" });
      continue;
    }
    await runSuite(root, file, results);
    spy.restoreAllMocks();
    vi.unstubAllGlobals();
  }
  const count = (state) => results.filter((r) => r.state === state).length;
  return { passed: count("pass"), failed: count("fail"), skipped: count("skip"), results };
}
