/**
 * How chart values read: fractions as percentages, sizes in binary units, rates per second, plain numbers.
 * Pure functions (server and browser give the same text); null and NaN read as "—".
 */
import { MISSING, formatBytes, formatDate, formatDateTime } from "../format";

export type ValueUnit = "percent" | "bytes" | "bytesPerSecond" | "number";

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/** A value for a legend or a tooltip: "4.2%", "42%", "1.5 GiB", "320 KiB/s", "2.35". */
export function formatChartValue(value: number | null | undefined, unit: ValueUnit): string {
  if (value == null || !Number.isFinite(value)) return MISSING;
  switch (unit) {
    case "percent": {
      const percent = value * 100;
      return `${percent < 10 ? trimZeros(percent.toFixed(1)) : Math.round(percent)}%`;
    }
    case "bytes":
      return formatBytes(Math.max(0, value));
    case "bytesPerSecond":
      return `${formatBytes(Math.max(0, value))}/s`;
    case "number":
      return trimZeros(value.toFixed(Math.abs(value) < 10 ? 2 : 1));
  }
}

/** A tick of the value axis: as short as can be ("40%", "512 MiB", "1.5 MiB/s"). */
export function formatAxisValue(value: number, unit: ValueUnit): string {
  if (!Number.isFinite(value)) return "";
  switch (unit) {
    case "percent": {
      // Ticks of 2.5 % must not read "3%": one decimal when the tick is not a whole percentage.
      const percent = value * 100;
      return `${trimZeros(percent.toFixed(Math.abs(percent - Math.round(percent)) > 1e-9 ? 1 : 0))}%`;
    }
    case "bytes":
      return formatBytes(Math.max(0, value), 1);
    case "bytesPerSecond":
      return `${formatBytes(Math.max(0, value), 1)}/s`;
    case "number":
      return trimZeros(value.toFixed(Math.abs(value) < 10 ? 1 : 0));
  }
}

/** Tick steps for byte scales: 1, 2, 4... times each binary unit, so ticks read "256 MiB", "512 MiB", "1 GiB". */
export const BINARY_INCREMENTS: number[] = Array.from({ length: 6 }, (_, power) =>
  [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((n) => n * 1024 ** power),
).flat();

/** A tick of the time axis, 24-hour: "14:05" while ticks are less than a day apart, then "11-24" (month-day). */
export function formatTimeTick(ms: number, stepSeconds: number): string {
  return stepSeconds < 86_400 ? formatDateTime(ms).slice(11) : formatDate(ms).slice(5);
}
