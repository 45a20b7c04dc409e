/**
 * Tells user input from background traffic in what a browser sends to an RFB console, for the idle timeout:
 * a VNC client asks for screen updates all the time, so "bytes were sent" says nothing about a person being
 * there; key and pointer events do (XAPI's own idle monitor counts the same messages).
 *
 * It follows the client's side of the protocol: version, security choice, ClientInit, then messages by their
 * known sizes. On anything it does not know it stops following and counts every later byte as activity, which
 * keeps a console open rather than closing one in use (the console host judges the bytes themselves).
 */

type Phase = "version" | "security" | "vnc-auth" | "init" | "messages" | "lost";

/** Client message sizes (bytes, type included) that do not depend on their content. */
const FIXED_SIZES: Record<number, number> = {
  0: 20, // SetPixelFormat
  3: 10, // FramebufferUpdateRequest
  4: 8, // KeyEvent
  5: 6, // PointerEvent
  150: 10, // EnableContinuousUpdates
  250: 4, // xvp
};
const INPUT_MESSAGES = new Set([4, 5, 255]);

export class RfbActivityTracker {
  private phase: Phase = "version";
  private minor = 8;
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes of a message being skipped over (the rest of a cut text). */
  private skip = 0;

  /** Feeds bytes the browser sent; true when they hold keyboard or mouse input. */
  feed(chunk: Buffer): boolean {
    if (this.phase === "lost") return chunk.length > 0;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let active = false;
    for (;;) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, this.pending.length);
        this.skip -= skipped;
        this.pending = this.pending.subarray(skipped);
        if (this.skip > 0) break;
      }
      const used = this.step();
      if (used === null) {
        this.phase = "lost";
        this.pending = Buffer.alloc(0);
        return true;
      }
      if (used.bytes === 0) break;
      active ||= used.input;
      this.pending = this.pending.subarray(used.bytes);
    }
    // Pending bytes are at most one incomplete message header (the big payloads are skipped, not kept).
    if (this.pending.length > 64 * 1024) {
      this.phase = "lost";
      this.pending = Buffer.alloc(0);
      return true;
    }
    return active;
  }

  /** One protocol element at the start of `pending`: its size (0: incomplete) and whether it is input; null: unknown. */
  private step(): { bytes: number; input: boolean } | null {
    const input = this.pending;
    const wait = { bytes: 0, input: false };
    switch (this.phase) {
      case "version": {
        if (input.length < 12) return wait;
        const match = /^RFB 003\.(\d{3})\n$/.exec(input.subarray(0, 12).toString("latin1"));
        if (!match) return null;
        const minor = Number(match[1]);
        this.minor = minor >= 8 ? 8 : minor === 7 ? 7 : 3;
        // In 3.3 the server picks the security type: the client says nothing until ClientInit (None assumed).
        this.phase = this.minor === 3 ? "init" : "security";
        return { bytes: 12, input: false };
      }
      case "security":
        if (input.length < 1) return wait;
        if (input[0] === 2) this.phase = "vnc-auth";
        else if (input[0] === 1) this.phase = "init";
        else return null;
        return { bytes: 1, input: false };
      case "vnc-auth":
        if (input.length < 16) return wait;
        this.phase = "init";
        return { bytes: 16, input: false };
      case "init":
        if (input.length < 1) return wait;
        this.phase = "messages";
        return { bytes: 1, input: false };
      case "messages":
        return this.message(input);
      default:
        return null;
    }
  }

  private message(input: Buffer): { bytes: number; input: boolean } | null {
    if (input.length < 1) return { bytes: 0, input: false };
    const type = input[0]!;
    const fixed = FIXED_SIZES[type];
    if (fixed !== undefined) return input.length < fixed ? { bytes: 0, input: false } : { bytes: fixed, input: INPUT_MESSAGES.has(type) };
    switch (type) {
      case 2: // SetEncodings
        if (input.length < 4) return { bytes: 0, input: false };
        return input.length < 4 + input.readUInt16BE(2) * 4 ? { bytes: 0, input: false } : { bytes: 4 + input.readUInt16BE(2) * 4, input: false };
      case 6: // ClientCutText (pasting is input); its text is skipped, not kept
        if (input.length < 8) return { bytes: 0, input: false };
        this.skip = Math.abs(input.readInt32BE(4));
        return { bytes: 8, input: true };
      case 248: // Fence
        if (input.length < 9) return { bytes: 0, input: false };
        return input.length < 9 + input[8]! ? { bytes: 0, input: false } : { bytes: 9 + input[8]!, input: false };
      case 251: // SetDesktopSize
        if (input.length < 8) return { bytes: 0, input: false };
        return input.length < 8 + input[6]! * 16 ? { bytes: 0, input: false } : { bytes: 8 + input[6]! * 16, input: false };
      case 255: // QEMU client message: extended key event (12 bytes); other subtypes are not followed
        if (input.length < 2) return { bytes: 0, input: false };
        if (input[1] !== 0) return null;
        return input.length < 12 ? { bytes: 0, input: false } : { bytes: 12, input: true };
      default:
        return null;
    }
  }
}
