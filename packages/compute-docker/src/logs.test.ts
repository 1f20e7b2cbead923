/** Demultiplexing the engine's log frames. */
import { describe, expect, it } from "vitest";
import { demuxBuffer } from "./logs.ts";

const frame = (type: number, text: string) => {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

describe("demuxBuffer", () => {
  it("joins stdout and stderr frames in order, and passes a TTY (unframed) buffer through", () => {
    expect(demuxBuffer(Buffer.concat([frame(1, "out\n"), frame(2, "err\n"), frame(1, "more")]))).toBe("out\nerr\nmore");
    expect(demuxBuffer(Buffer.from("plain tty output\n"))).toBe("plain tty output\n");
  });
});
