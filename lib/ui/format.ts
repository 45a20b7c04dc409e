/**
 * Display formatting shared by every page. Pure functions, English, no locale surprises: the same input gives the
 * same text on the server and in the browser (except where a time zone is involved, see `formatDateTime`).
 * Invalid input (NaN, negative sizes, unparsable dates) renders as an em dash instead of throwing.
 */

import { LruMap } from "@/lib/memo";

export const MISSING = "—";

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] as const;

/**
 * Binary sizes, as XAPI reports memory and disks: 4294967296 → "4 GiB", 1610612736 → "1.5 GiB", 1023 → "1023 B".
 * At most `decimals` decimals (default 1), trailing zeros dropped. Accepts XAPI's int64 strings and bigints.
 */
export function formatBytes(bytes: number | bigint | string | null | undefined, decimals = 1): string {
  const n = typeof bytes === "number" ? bytes : bytes == null || bytes === "" ? NaN : Number(bytes);
  if (!Number.isFinite(n) || n < 0) return MISSING;
  let unit = 0;
  let value = n;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  let rounded = roundTo(value, unit === 0 ? 0 : decimals);
  // 1023.97 KiB rounds to 1024 KiB: show it as 1 MiB instead.
  if (rounded >= 1024 && unit < BYTE_UNITS.length - 1) {
    rounded = roundTo(rounded / 1024, decimals);
    unit++;
  }
  return `${rounded} ${BYTE_UNITS[unit]}`;
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** "1 VM", "3 VMs", "0 hosts"; pass `plural` for irregular words. */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? singular : plural}`;
}

/** 0.423 → "42%"; values are clamped to 0..1; NaN → "—". */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction == null || !Number.isFinite(fraction)) return MISSING;
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%`;
}

export type DateInput = Date | string | number;

/** A valid Date from a Date, ISO string, XAPI date string or epoch milliseconds; null when it is not a date. */
export function toDate(input: DateInput | null | undefined): Date | null {
  if (input == null || input === "") return null;
  const date = input instanceof Date ? input : new Date(typeof input === "string" ? normaliseXapiDate(input) : input);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** XAPI writes dates as "20251124T12:03:00Z" (no dashes); make them ISO so Date can read them. */
function normaliseXapiDate(s: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(.*)$/.exec(s.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}` : s;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Short relative time for "last seen" style labels: "just now", "42 s ago", "3 min ago", "2 h ago", "5 days ago",
 * and "in 3 min" for the future. Beyond 30 days it gives the date ("2025-10-01").
 */
export function formatRelativeTime(input: DateInput | null | undefined, now: DateInput = Date.now()): string {
  const date = toDate(input);
  const reference = toDate(now);
  if (!date || !reference) return MISSING;
  const seconds = Math.round((reference.getTime() - date.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 10) return "just now";
  if (abs >= 30 * DAY) return formatDate(date);
  let amount: string;
  if (abs < MINUTE) amount = `${abs} s`;
  else if (abs < HOUR) amount = `${Math.floor(abs / MINUTE)} min`;
  else if (abs < DAY) amount = `${Math.floor(abs / HOUR)} h`;
  else amount = formatCount(Math.floor(abs / DAY), "day");
  return seconds >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** Formatters are costly to create; one per time zone (a formatter never changes; a few zones are in use). */
const formatters = new LruMap<string, Intl.DateTimeFormat>(8);

function partsOf(date: Date, timeZone: string | undefined): Record<string, string> {
  const formatter = formatters.resolve(
    timeZone ?? "",
    () =>
      new Intl.DateTimeFormat("en-GB", {
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
        timeZone,
      }),
  );
  return Object.fromEntries(formatter.formatToParts(date).map((p) => [p.type, p.value]));
}

export interface TimeZoneOption {
  /** IANA zone ("UTC", "Europe/Paris"); default: the zone of the machine running the code. */
  timeZone?: string;
}

/** "2025-11-24 12:03" — unambiguous, sortable, 24-hour; `seconds: true` adds ":07". */
export function formatDateTime(input: DateInput | null | undefined, options: TimeZoneOption & { seconds?: boolean } = {}): string {
  const date = toDate(input);
  if (!date) return MISSING;
  const p = partsOf(date, options.timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${options.seconds ? `:${p.second}` : ""}`;
}

/** "2025-11-24". */
export function formatDate(input: DateInput | null | undefined, options: TimeZoneOption = {}): string {
  const date = toDate(input);
  if (!date) return MISSING;
  const p = partsOf(date, options.timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/**
 * For "disconnected since …": the time alone when it is the same day as `now` ("12:03"), otherwise date and
 * time ("2025-11-23 12:03").
 */
export function formatSince(input: DateInput | null | undefined, now: DateInput = Date.now(), options: TimeZoneOption = {}): string {
  const date = toDate(input);
  if (!date) return MISSING;
  const full = formatDateTime(date, options);
  const today = formatDate(now, options);
  return full.startsWith(today) ? full.slice(today.length + 1) : full;
}
