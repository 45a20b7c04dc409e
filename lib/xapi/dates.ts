/**
 * XAPI datetimes: `20250319T04:16:24Z` on the wire (basic ISO 8601, UTC). Older hosts omit the `Z`; XAPI's
 * clock is UTC, so a date without zone is read as UTC (the `xmlrpc` package would read it as local time).
 * The null date is `19700101T00:00:00Z`.
 */
const XAPI_DATE = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseXapiDate(text: string): Date {
  const m = XAPI_DATE.exec(text.trim());
  if (!m) throw new RangeError(`not an XAPI date: ${text.slice(0, 40)}`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const fields = new Date(time);
  // Date.UTC rolls over (Feb 30 → Mar 2, 25:00 → next day): refuse such dates instead.
  if (fields.getUTCMonth() !== Number(mo) - 1 || fields.getUTCDate() !== Number(d) || fields.getUTCHours() !== Number(h) || Number(mi) > 59 || Number(s) > 59) {
    throw new RangeError(`not an XAPI date: ${text.slice(0, 40)}`);
  }
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
    time -= sign * offsetMinutes * 60_000;
  }
  return new Date(time);
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
