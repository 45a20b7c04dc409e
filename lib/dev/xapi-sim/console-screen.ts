/**
 * A text-mode screen, as a guest's graphical console shows it before any desktop starts: a grid of 8×16 cells
 * drawn into a framebuffer of palette indices (the 16 VGA colours). It understands the bit of vt100 the
 * simulated guests write (colours, clear screen, cursor home, erase line), so that one guest transcript feeds
 * both a graphical (RFB) and a text (vt100) console. Every change is reported as a pixel rectangle to the
 * subscribed RFB sessions.
 */
import { CELL_HEIGHT, CELL_WIDTH, cellMask } from "./console-font";

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The 16 VGA text-mode colours (index 0, black, is the background). */
export const VGA_PALETTE: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [170, 0, 0],
  [0, 170, 0],
  [170, 85, 0],
  [0, 0, 170],
  [170, 0, 170],
  [0, 170, 170],
  [170, 170, 170],
  [85, 85, 85],
  [255, 85, 85],
  [85, 255, 85],
  [255, 255, 85],
  [85, 85, 255],
  [255, 85, 255],
  [85, 255, 255],
  [255, 255, 255],
];

const DEFAULT_COLOUR = 7;
/** Longest escape sequence kept while parsing; anything longer is garbage and dropped. */
const MAX_ESCAPE = 16;

export function unionRect(a: Rect | null, b: Rect): Rect {
  if (!a) return { ...b };
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

export function intersectRect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  return right > x && bottom > y ? { x, y, width: right - x, height: bottom - y } : null;
}

export class TextScreen {
  readonly cols: number;
  readonly rows: number;
  /** One palette index per pixel, row by row. */
  readonly pixels: Uint8Array;
  readonly palette = VGA_PALETTE;
  private readonly chars: Uint8Array;
  private readonly colours: Uint8Array;
  private cursorX = 0;
  private cursorY = 0;
  private colour = DEFAULT_COLOUR;
  private bright = false;
  private escape: string | null = null;
  /** Cells changed since the last flush, in cell units. */
  private dirty: Rect | null = null;
  private readonly listeners = new Set<(rect: Rect) => void>();

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.cols = Math.floor(width / CELL_WIDTH);
    this.rows = Math.floor(height / CELL_HEIGHT);
    this.pixels = new Uint8Array(width * height);
    this.chars = new Uint8Array(this.cols * this.rows).fill(0x20);
    this.colours = new Uint8Array(this.cols * this.rows).fill(DEFAULT_COLOUR);
    this.markCell(0, 0);
    this.flush();
  }

  /** Called with the changed pixel rectangle after every write. */
  onChange(listener: (rect: Rect) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(text: string): void {
    for (const char of text) this.put(char);
    this.flush();
  }

  /** The screen's text, one string per row (trailing spaces removed). */
  lines(): string[] {
    const out: string[] = [];
    for (let row = 0; row < this.rows; row++) {
      out.push(String.fromCharCode(...this.chars.subarray(row * this.cols, (row + 1) * this.cols)).trimEnd());
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------------------

  private put(char: string): void {
    if (this.escape !== null) return this.continueEscape(char);
    switch (char) {
      case "\x1b":
        this.escape = "";
        return;
      case "\n":
        // The guests' ttys translate a newline to CR LF (onlcr), as Linux does by default.
        return this.moveCursor(0, this.cursorY + 1);
      case "\r":
        return this.moveCursor(0, this.cursorY);
      case "\b":
        return this.moveCursor(Math.max(0, this.cursorX - 1), this.cursorY);
      case "\t":
        return this.moveCursor(Math.min(this.cols - 1, (Math.floor(this.cursorX / 8) + 1) * 8), this.cursorY);
    }
    const code = char.codePointAt(0)!;
    if (code < 0x20) return;
    if (this.cursorX >= this.cols) this.moveCursor(0, this.cursorY + 1);
    const index = this.cursorY * this.cols + this.cursorX;
    this.chars[index] = code < 0x7f ? code : 0x3f;
    this.colours[index] = this.colour + (this.bright ? 8 : 0);
    this.markCell(this.cursorX, this.cursorY);
    this.moveCursor(this.cursorX + 1, this.cursorY);
  }

  /** Moves the cursor, scrolling when it goes past the last row. */
  private moveCursor(x: number, y: number): void {
    this.markCell(Math.min(this.cursorX, this.cols - 1), this.cursorY);
    if (y >= this.rows) {
      this.scroll(y - this.rows + 1);
      y = this.rows - 1;
    }
    this.cursorX = x;
    this.cursorY = y;
    this.markCell(Math.min(x, this.cols - 1), y);
  }

  private scroll(lines: number): void {
    const shift = Math.min(lines, this.rows) * this.cols;
    this.chars.copyWithin(0, shift);
    this.colours.copyWithin(0, shift);
    this.chars.fill(0x20, this.chars.length - shift);
    this.colours.fill(DEFAULT_COLOUR, this.colours.length - shift);
    this.dirty = { x: 0, y: 0, width: this.cols, height: this.rows };
  }

  private continueEscape(char: string): void {
    const sequence = this.escape + char;
    if (sequence === "[" || (sequence.startsWith("[") && /^[0-9;?]$/.test(char) && sequence.length < MAX_ESCAPE)) {
      this.escape = sequence;
      return;
    }
    this.escape = null;
    const match = /^\[([0-9;?]*)([A-Za-z])$/.exec(sequence);
    if (!match) return;
    const params = match[1]!.split(";").map((part) => Number(part) || 0);
    switch (match[2]) {
      case "m":
        for (const param of params) this.applyStyle(param);
        return;
      case "J":
        if (params[0] === 2) this.clear();
        return;
      case "H":
        return this.moveCursor(Math.min(this.cols - 1, Math.max(0, (params[1] ?? 1) - 1)), Math.min(this.rows - 1, Math.max(0, (params[0] || 1) - 1)));
      case "K": {
        const start = this.cursorY * this.cols + this.cursorX;
        this.chars.fill(0x20, start, (this.cursorY + 1) * this.cols);
        this.dirty = unionRect(this.dirty, { x: this.cursorX, y: this.cursorY, width: this.cols - this.cursorX, height: 1 });
        return;
      }
    }
  }

  private applyStyle(param: number): void {
    if (param === 0) {
      this.colour = DEFAULT_COLOUR;
      this.bright = false;
    } else if (param === 1) this.bright = true;
    else if (param >= 30 && param <= 37) this.colour = param - 30;
    else if (param === 39) this.colour = DEFAULT_COLOUR;
  }

  private clear(): void {
    this.chars.fill(0x20);
    this.colours.fill(DEFAULT_COLOUR);
    this.dirty = { x: 0, y: 0, width: this.cols, height: this.rows };
  }

  private markCell(x: number, y: number): void {
    this.dirty = unionRect(this.dirty, { x, y, width: 1, height: 1 });
  }

  /** Draws the changed cells (and the cursor) into the framebuffer and reports the change. */
  private flush(): void {
    const cells = this.dirty;
    if (!cells) return;
    this.dirty = null;
    for (let row = cells.y; row < cells.y + cells.height; row++) {
      for (let col = cells.x; col < cells.x + cells.width; col++) this.drawCell(col, row);
    }
    const rect = { x: cells.x * CELL_WIDTH, y: cells.y * CELL_HEIGHT, width: cells.width * CELL_WIDTH, height: cells.height * CELL_HEIGHT };
    for (const listener of this.listeners) listener(rect);
  }

  private drawCell(col: number, row: number): void {
    const index = row * this.cols + col;
    const mask = cellMask(this.chars[index]!);
    const ink = this.colours[index]!;
    const cursor = col === Math.min(this.cursorX, this.cols - 1) && row === this.cursorY;
    for (let y = 0; y < CELL_HEIGHT; y++) {
      const offset = (row * CELL_HEIGHT + y) * this.width + col * CELL_WIDTH;
      const underline = cursor && y >= CELL_HEIGHT - 2;
      for (let x = 0; x < CELL_WIDTH; x++) this.pixels[offset + x] = underline || mask[y * CELL_WIDTH + x] ? ink : 0;
    }
  }
}
