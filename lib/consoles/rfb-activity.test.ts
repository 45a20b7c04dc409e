import { describe, expect, it } from "vitest";
import { RfbActivityTracker } from "./rfb-activity";

const handshake = Buffer.concat([Buffer.from("RFB 003.008\n"), Buffer.from([1, 1])]);
const updateRequest = Buffer.from([3, 1, 0, 0, 0, 0, 2, 208, 1, 144]);
const setEncodings = Buffer.from([2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xfe, 0xfe]);
const key = Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x61]);
const pointer = Buffer.from([5, 0, 0, 10, 0, 20]);

describe("RFB activity", () => {
  it("counts key, pointer and clipboard messages as input, not the screen update requests a client keeps sending", () => {
    const tracker = new RfbActivityTracker();
    expect(tracker.feed(Buffer.concat([handshake, setEncodings, updateRequest, updateRequest]))).toBe(false);
    expect(tracker.feed(key)).toBe(true);
    expect(tracker.feed(updateRequest)).toBe(false);
    expect(tracker.feed(pointer.subarray(0, 3))).toBe(false);
    expect(tracker.feed(pointer.subarray(3))).toBe(true);
    const cutText = Buffer.concat([Buffer.from([6, 0, 0, 0, 0, 0, 0, 5]), Buffer.from("hello")]);
    expect(tracker.feed(cutText)).toBe(true);
    expect(tracker.feed(updateRequest)).toBe(false);
  });

  it("follows 3.3 and VNC-authentication handshakes, and takes anything unknown as input from then on", () => {
    const old = new RfbActivityTracker();
    expect(old.feed(Buffer.concat([Buffer.from("RFB 003.003\n"), Buffer.from([1]), updateRequest]))).toBe(false);
    expect(old.feed(key)).toBe(true);
    const vncAuth = new RfbActivityTracker();
    expect(vncAuth.feed(Buffer.concat([Buffer.from("RFB 003.008\n"), Buffer.from([2]), Buffer.alloc(16), Buffer.from([1]), updateRequest]))).toBe(false);
    const lost = new RfbActivityTracker();
    expect(lost.feed(Buffer.concat([handshake, Buffer.from([99])]))).toBe(true);
    expect(lost.feed(updateRequest)).toBe(true);
  });
});
