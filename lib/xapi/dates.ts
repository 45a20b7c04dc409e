/**
 * XAPI datetimes: `20250319T04:16:24Z` on the wire (basic ISO 8601, UTC). Older hosts omit the `Z`; XAPI's
 * clock is UTC, so a date without zone is read as UTC (the `xmlrpc` package would read it as local time).
 * The null date is `19700101T00:00:00Z`.
 */
const XAPI_DATE = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseXapiDate(text: string): Date {
  // XAPI's own form, `20250319T04:16:24Z` (every date of every record): read without a regex.
  if (text.length === 18 && text.charCodeAt(8) === 0x54 && text.charCodeAt(11) === 0x3a && text.charCodeAt(14) === 0x3a && text.charCodeAt(17) === 0x5a) {
    const y = digits(text, 0, 4);
    const mo = digits(text, 4, 2);
    const d = digits(text, 6, 2);
    const h = digits(text, 9, 2);
    const mi = digits(text, 12, 2);
    const s = digits(text, 15, 2);
    if (y >= 0 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && s >= 0) return checkedUtc(text, y, mo, d, h, mi, s, 0);
  }
  const m = XAPI_DATE.exec(text.trim());
  if (!m) throw new RangeError(`not an XAPI date: ${text.slice(0, 40)}`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const date = checkedUtc(text, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms);
  let time = date.getTime();
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const offset = zone.slice(1).replace(":", "");
    const offsetMinutes = Number(offset.slice(0, 2)) * 60 + Number(offset.slice(2) || 0);
    time -= sign * offsetMinutes * 60_000;
  }
  return new Date(time);
}

/** The UTC date of these fields; Date.UTC rolls over (Feb 30 → Mar 2, 25:00 → next day): refused instead. */
function checkedUtc(text: string, y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): Date {
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || date.getUTCHours() !== h || mi > 59 || s > 59) {
    throw new RangeError(`not an XAPI date: ${text.slice(0, 40)}`);
  }
  return date;
}

/** The decimal number written by `length` ASCII digits at `start`, or -1. */
function digits(text: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `Date` → `20250319T04:16:24Z`, the form XAPI writes and reads. */
export function formatXapiDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("invalid date");
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return (
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}Z`
  );
}
