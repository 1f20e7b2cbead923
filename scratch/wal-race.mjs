import Database from "better-sqlite3";
import { fork } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
if (process.argv[2]) {
  const file = process.argv[2];
  try {
    const raw = new Database(file);
    raw.pragma("busy_timeout = 5000");
    raw.pragma("foreign_keys = ON");
    raw.pragma("journal_mode = WAL");
    raw.pragma("synchronous = NORMAL");
    raw.exec("begin immediate; create table if not exists t (x); commit");
    process.send("ok");
  } catch (e) { process.send(`${e.code} ${e.message}`); }
  process.exit(0);
} else {
  const dir = mkdtempSync(join(tmpdir(), "walrace-"));
  const tally = {};
  for (let i = 0; i < 200; i++) {
    const file = join(dir, `${i}.db`);
    const outs = await Promise.all([0, 1].map(() => new Promise((res) => { const c = fork(process.argv[1], [file]); c.on("message", res); })));
    for (const o of outs) tally[o] = (tally[o] ?? 0) + 1;
  }
  console.log(tally);
}
