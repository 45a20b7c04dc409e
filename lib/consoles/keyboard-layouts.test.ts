import { describe, expect, it } from "vitest";
import { defaultLayout, KEYBOARD_LAYOUTS, keystrokesFor, type KeyboardLayout } from "./keyboard-layouts";

const keys = (text: string, layout: KeyboardLayout) =>
  keystrokesFor(text, layout).map(({ code, shift, altGr }) => `${shift ? "⇧" : ""}${altGr ? "⌥" : ""}${code}`);

describe("typing text on the guest's layout", () => {
  it("presses the keys where the guest's layout has the characters", () => {
    expect(keys("aqz", "us")).toEqual(["KeyA", "KeyQ", "KeyZ"]);
    expect(keys("aqz", "fr")).toEqual(["KeyQ", "KeyA", "KeyW"]);
    expect(keys("yz", "de")).toEqual(["KeyZ", "KeyY"]);
    expect(keys("A1!", "us")).toEqual(["⇧KeyA", "Digit1", "⇧Digit1"]);
    expect(keys("1@", "fr")).toEqual(["⇧Digit1", "⌥Digit0"]);
    expect(keys("@{\\", "de")).toEqual(["⌥KeyQ", "⌥Digit7", "⌥Minus"]);
    expect(keys('"@#', "gb")).toEqual(["⇧Digit2", "⇧Quote", "Backslash"]);
  });

  it("turns line ends into Enter and sends characters without a key as keysyms only", () => {
    const strokes = keystrokesFor("a\r\nb\tπ", "us");
    expect(strokes.map((stroke) => stroke.code)).toEqual(["KeyA", "Enter", "KeyB", "Tab", ""]);
    expect(strokes.map((stroke) => stroke.keysym)).toEqual([0x61, 0xff0d, 0x62, 0xff09, 0x01000000 + 0x3c0]);
    expect(keystrokesFor("é", "fr")[0]).toEqual({ keysym: 0xe9, code: "Digit2", shift: false, altGr: false });
  });

  it("covers printable ASCII on every layout (but German dead keys), and guesses the layout from the browser's language", () => {
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
    const missing = Object.fromEntries(
      (Object.keys(KEYBOARD_LAYOUTS) as KeyboardLayout[]).map((layout) => [
        layout,
        keystrokesFor(ascii, layout)
          .filter((stroke) => stroke.code === "")
          .map((stroke) => String.fromCharCode(stroke.keysym))
          .join(""),
      ]),
    );
    expect(missing).toEqual({ us: "", gb: "", fr: "", de: "^`" });
    expect([defaultLayout("fr-CA"), defaultLayout("de"), defaultLayout("en-GB"), defaultLayout(undefined)]).toEqual(["fr", "de", "gb", "us"]);
  });
});
