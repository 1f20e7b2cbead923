/**
 * @module Opening a SQLite file whose write lock another process holds. SQLite refuses the switch
 * to write-ahead logging at once (SQLITE_BUSY, no busy wait) in that case; the store waits for the
 * lock as it does for any write, up to `busyTimeoutMs`.
 */
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "@calipso/core";
import BetterSqlite3 from "better-sqlite3";
import { createSqlStore } from "./store.ts";

const dir = mkdtempSync(join(tmpdir(), "calipso-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const driver = createRequire(import.meta.url).resolve("better-sqlite3");

/** A separate process that opens `file` in rollback-journal mode, takes its write lock and keeps it `holdMs`. */
async function holdWriteLock(file: string, holdMs: number): Promise<{ child: ChildProcessWithoutNullStreams; released: Promise<void> }> {
  const script = `
    const Database = require(process.argv[1]);
    const db = new Database(process.argv[2]);
    db.exec("create table if not exists held (at integer)");
    db.exec("begin immediate");
    db.prepare("insert into held values (?)").run(Date.now());
    console.log("holding");
    setTimeout(() => { db.exec("commit"); db.close(); console.log("released"); }, Number(process.argv[3]));
  `;
  const child = spawn(process.execPath, ["-e", script, driver, file, String(holdMs)], { stdio: ["pipe", "pipe", "pipe"] });
  const lines = createInterface({ input: child.stdout });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const seen = (want: string) =>
    new Promise<void>((resolve, reject) => {
      lines.on("line", (line) => line === want && resolve());
      child.on("exit", (code) => reject(new Error(`lock holder exited (${code}) before "${want}": ${stderr}`)));
    });
  const released = seen("released");
  released.catch(() => {});
  await seen("holding");
  return { child, released };
}

describe("sqlite: opening a file another process is writing", () => {
  it("[store-sql/sqlite-01] the store opens on a fresh file whose write lock another process holds: it waits for the lock, then runs in WAL mode with its migrations applied", async () => {
    const file = join(dir, "held.db");
    // The bare driver shows the behaviour the store works around: busy_timeout does not cover it.
    const holder = await holdWriteLock(file, 1_500);
    const bare = new BetterSqlite3(file);
    bare.pragma("busy_timeout = 5000");
    expect(() => bare.pragma("journal_mode = WAL")).toThrow(expect.objectContaining({ code: "SQLITE_BUSY" }));
    bare.close();

    const store = await createSqlStore({ dialect: "sqlite", file, busyTimeoutMs: 10_000 });
    try {
      await holder.released; // the store could only open once the other process let go
      const check = new BetterSqlite3(file, { readonly: true });
      expect(check.pragma("journal_mode", { simple: true })).toBe("wal");
      expect((check.prepare("select count(*) as n from held").get() as { n: number }).n).toBe(1);
      check.close();
      expect(await store.ping()).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("[store-sql/sqlite-02] a lock still held after busyTimeoutMs refuses the store with PROVIDER_UNAVAILABLE (database busy), not a crash", async () => {
    const file = join(dir, "long-held.db");
    const holder = await holdWriteLock(file, 3_000);
    try {
      const error = await createSqlStore({ dialect: "sqlite", file, busyTimeoutMs: 200 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(AppError.is(error) && { code: error.code, detail: error.detail }).toEqual({
        code: "PROVIDER_UNAVAILABLE",
        detail: expect.stringMatching(/busy/),
      });
    } finally {
      await holder.released;
    }
  });
});
