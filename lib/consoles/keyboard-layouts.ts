/**
 * Typing text into a guest ("send text from the clipboard") as the keys a person would press on the guest's
 * keyboard layout. A VM's console receives key events; with QEMU's extended key events (which noVNC uses when
 * the host offers them) each carries the physical key, and the guest turns keys into characters with ITS
 * layout. So to type "a" into a guest set to French AZERTY, the key to press is the one where US keyboards have
 * "q" (code `KeyQ`). The user picks the guest's layout; each character becomes a key (a `KeyboardEvent.code`),
 * the modifiers to hold, and the X11 keysym (for hosts without extended key events, which map keysyms
 * themselves). Pure: no DOM, so it is unit-tested.
 */

export const KEYBOARD_LAYOUTS = {
  us: "English (US)",
  gb: "English (UK)",
  fr: "French (AZERTY)",
  de: "German (QWERTZ)",
} as const;

export type KeyboardLayout = keyof typeof KEYBOARD_LAYOUTS;

export interface Keystroke {
  /** X11 keysym of the character. */
  keysym: number;
  /** The physical key (`KeyboardEvent.code`). */
  code: string;
  shift: boolean;
  /** AltGr (ISO_Level3_Shift), for the third character of a key on European layouts. */
  altGr: boolean;
}

export const KEYSYM_SHIFT = 0xffe1;
export const KEYSYM_ALTGR = 0xfe03;
const KEYSYM_RETURN = 0xff0d;
const KEYSYM_TAB = 0xff09;

/** The keys of the main block, row by row, in the order the layout strings below list their characters. */
const ROWS: readonly (readonly string[])[] = [
  ["Backquote", "Digit1", "Digit2", "Digit3", "Digit4", "Digit5", "Digit6", "Digit7", "Digit8", "Digit9", "Digit0", "Minus", "Equal"],
  ["KeyQ", "KeyW", "KeyE", "KeyR", "KeyT", "KeyY", "KeyU", "KeyI", "KeyO", "KeyP", "BracketLeft", "BracketRight"],
  ["KeyA", "KeyS", "KeyD", "KeyF", "KeyG", "KeyH", "KeyJ", "KeyK", "KeyL", "Semicolon", "Quote", "Backslash"],
  ["IntlBackslash", "KeyZ", "KeyX", "KeyC", "KeyV", "KeyB", "KeyN", "KeyM", "Comma", "Period", "Slash"],
];

/**
 * Per layout and row: the character of each key, shifted, and with AltGr (" " = nothing there). One string per
 * row and level, aligned with ROWS; dead keys (^ ¨ ´ on French and German keyboards) are left out.
 */
type LayoutRows = readonly [plain: string, shift: string, altGr?: string][];

// prettier-ignore
const LAYOUT_ROWS: Record<KeyboardLayout, LayoutRows> = {
  us: [
    ["`1234567890-=", "~!@#$%^&*()_+"],
    ["qwertyuiop[]", "QWERTYUIOP{}"],
    ["asdfghjkl;'\\", 'ASDFGHJKL:"|'],
    [" zxcvbnm,./", " ZXCVBNM<>?"],
  ],
  gb: [
    ["`1234567890-=", "¬!\"£$%^&*()_+"],
    ["qwertyuiop[]", "QWERTYUIOP{}"],
    ["asdfghjkl;'#", "ASDFGHJKL:@~"],
    ["\\zxcvbnm,./", "|ZXCVBNM<>?"],
  ],
  fr: [
    ["²&é\"'(-è_çà)=", " 1234567890°+", "  ~#{[|`\\^@]}"],
    ["azertyuiop $", "AZERTYUIOP £", "           ¤"],
    ["qsdfghjklmù*", "QSDFGHJKLM%µ"],
    ["<wxcvbn,;:!", ">WXCVBN?./§"],
  ],
  de: [
    [" 1234567890ß ", "°!\"§$%&/()=? ", "  ²³   {[]}\\"],
    ["qwertzuiopü+", "QWERTZUIOPÜ*", "@ €        ~"],
    ["asdfghjklöä#", "ASDFGHJKLÖÄ'"],
    ["<yxcvbnm,.-", ">YXCVBNM;:_", "|"],
  ],
};

// Built on first use from constant rows, one per layout of a closed list: nothing to evict, nothing to go stale.
const TABLES = new Map<KeyboardLayout, Map<string, Omit<Keystroke, "keysym">>>();

function table(layout: KeyboardLayout): Map<string, Omit<Keystroke, "keysym">> {
  let map = TABLES.get(layout);
  if (map) return map;
  map = new Map();
  LAYOUT_ROWS[layout].forEach(([plain, shift, altGr = ""], row) => {
    ROWS[row]!.forEach((code, index) => {
      const levels: [string | undefined, boolean, boolean][] = [
        [plain[index], false, false],
        [shift[index], true, false],
        [altGr[index], false, true],
      ];
      for (const [char, withShift, withAltGr] of levels) {
        if (char && char !== " " && !map!.has(char)) map!.set(char, { code, shift: withShift, altGr: withAltGr });
      }
    });
  });
  map.set(" ", { code: "Space", shift: false, altGr: false });
  map.set("\n", { code: "Enter", shift: false, altGr: false });
  map.set("\t", { code: "Tab", shift: false, altGr: false });
  TABLES.set(layout, map);
  return map;
}

/** The X11 keysym of a character (Latin-1 directly, the rest as Unicode keysyms). */
export function keysymOf(char: string): number {
  if (char === "\n") return KEYSYM_RETURN;
  if (char === "\t") return KEYSYM_TAB;
  const code = char.codePointAt(0)!;
  return code < 0x100 ? code : 0x01000000 + code;
}

/**
 * The keystrokes that type `text` on a guest using `layout`. Characters the layout has no key for are sent as
 * keysyms only (`code` empty): the host maps them as best it can. "\r\n" and "\r" count as one Enter.
 */
export function keystrokesFor(text: string, layout: KeyboardLayout): Keystroke[] {
  const keys = table(layout);
  const out: Keystroke[] = [];
  for (const char of text.replace(/\r\n?/g, "\n")) {
    const key = keys.get(char);
    out.push(key ? { keysym: keysymOf(char), ...key } : { keysym: keysymOf(char), code: "", shift: false, altGr: false });
  }
  return out;
}

/** The layout of this browser, guessed from its language, as the default choice. */
export function defaultLayout(language: string | undefined): KeyboardLayout {
  const tag = (language ?? "").toLowerCase();
  if (tag.startsWith("fr")) return "fr";
  if (tag.startsWith("de")) return "de";
  if (tag === "en-gb") return "gb";
  return "us";
}
