"use client";

/**
 * A time series chart drawn with uPlot (a small canvas charting library): one line per series, readable value
 * ticks (percent, binary sizes, rates), a tooltip with every series' value at the cursor, and a legend (React,
 * so that it wraps on phones) with each series' last value. Colours come from the design tokens, resolved from the
 * page's CSS so that the chart follows the theme, and the chart is redrawn when the theme changes. The chart takes
 * the width of its container. Nothing here writes a style attribute or a stylesheet: positions and sizes are set
 * through the CSSOM, so a strict Content-Security-Policy holds.
 */
import { useEffect, useEffectEvent, useRef, useSyncExternalStore } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { cx } from "../classes";
import { formatDateTime } from "../format";
import { BINARY_INCREMENTS, formatAxisValue, formatChartValue, formatTimeTick, type ValueUnit } from "./units";

export interface ChartSeries {
  label: string;
  /** One per time; null where unknown (the line breaks). */
  values: (number | null)[];
}

/** Series colours, in order: the status tones of the design system. */
const PALETTE = [
  { variable: "--color-info", swatch: "bg-info" },
  { variable: "--color-ok", swatch: "bg-ok" },
  { variable: "--color-warn", swatch: "bg-warn" },
  { variable: "--color-violet", swatch: "bg-violet" },
  { variable: "--color-error", swatch: "bg-error" },
  { variable: "--color-neutral", swatch: "bg-neutral" },
] as const;

interface Colors {
  series: string[];
  axis: string;
  grid: string;
  font: string;
}

/** The tokens as the browser resolves them now (light-dark() pairs become one colour for the current scheme). */
function resolveColors(host: HTMLElement): Colors {
  const probe = document.createElement("span");
  probe.hidden = true;
  host.appendChild(probe);
  const read = (variable: string) => {
    probe.style.color = `var(${variable})`;
    return getComputedStyle(probe).color;
  };
  const colors = {
    series: PALETTE.map((p) => read(p.variable)),
    axis: read("--color-muted"),
    grid: read("--color-line"),
    font: `11px ${getComputedStyle(host).fontFamily}`,
  };
  probe.remove();
  return colors;
}

/** Grows when the theme changes (the toggle's data-theme, or the OS scheme). */
function subscribeTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  media.addEventListener("change", onChange);
  return () => {
    observer.disconnect();
    media.removeEventListener("change", onChange);
  };
}

const themeKey = () => `${document.documentElement.dataset.theme ?? ""}|${window.matchMedia("(prefers-color-scheme: dark)").matches}`;

function toData(times: number[], series: ChartSeries[]): uPlot.AlignedData {
  return [times.map((t) => t / 1000), ...series.map((s) => s.values)];
}

function lastKnown(values: (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}

/** The tooltip: the time at the cursor and each series' value, built with DOM calls (no HTML strings). */
function tooltipPlugin(tip: HTMLDivElement, unit: ValueUnit, labels: string[]): uPlot.Plugin {
  return {
    hooks: {
      setCursor: (u) => {
        const idx = u.cursor.idx;
        const left = u.cursor.left ?? -1;
        if (idx == null || left < 0) {
          tip.hidden = true;
          return;
        }
        const time = document.createElement("p");
        time.className = "mb-1 font-medium";
        time.textContent = formatDateTime(u.data[0][idx] * 1000, { seconds: true });
        const rows = labels.map((label, i) => {
          const row = document.createElement("p");
          row.className = "flex items-center gap-1.5 whitespace-nowrap";
          const swatch = document.createElement("span");
          swatch.className = `inline-block size-2 shrink-0 rounded-sm ${PALETTE[i % PALETTE.length].swatch}`;
          const text = document.createElement("span");
          text.textContent = `${label}: ${formatChartValue(u.data[i + 1][idx] as number | null, unit)}`;
          row.append(swatch, text);
          return row;
        });
        tip.replaceChildren(time, ...rows);
        tip.hidden = false;
        const overLeft = u.over.offsetLeft;
        const width = tip.offsetWidth;
        const x = left + overLeft + 12 + width > u.width ? left + overLeft - width - 12 : left + overLeft + 12;
        tip.style.transform = `translate(${Math.max(0, x)}px, ${Math.max(0, (u.cursor.top ?? 0) - 8)}px)`;
      },
    },
  };
}

function options(width: number, height: number, unit: ValueUnit, labels: string[], colors: Colors, tip: HTMLDivElement): uPlot.Options {
  const axis = { stroke: colors.axis, font: colors.font, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
    scales: {
      x: { time: true },
      y: {
        range: (_u, _min, max) => {
          const top = Number.isFinite(max) && max > 0 ? max * 1.15 : unit === "percent" ? 0.1 : 1;
          return [0, unit === "percent" ? Math.min(1, top) : top];
        },
      },
    },
    axes: [
      { ...axis, values: (_u, splits, _axis, _space, step) => splits.map((t) => formatTimeTick(t * 1000, step)) },
      {
        ...axis,
        size: unit === "percent" || unit === "number" ? 44 : 76,
        values: (_u, splits) => splits.map((v) => formatAxisValue(v, unit)),
        ...(unit === "bytes" || unit === "bytesPerSecond" ? { incrs: BINARY_INCREMENTS } : {}),
      },
    ],
    series: [{}, ...labels.map((label, i) => ({ label, stroke: colors.series[i % colors.series.length], width: 1.5, points: { show: false } }))],
    plugins: [tooltipPlugin(tip, unit, labels)],
  };
}

export function TimeSeriesChart({
  title,
  unit,
  times,
  series,
  height = 180,
}: {
  title: string;
  unit: ValueUnit;
  /** Row times, ms since the epoch. */
  times: number[];
  series: ChartSeries[];
  height?: number;
}) {
  const container = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useSyncExternalStore(subscribeTheme, themeKey, () => "");
  const structure = `${unit}|${series.map((s) => s.label).join("\n")}`;
  // The data of the moment a chart is (re)built; later data arrives through setData below.
  const current = useEffectEvent(() => ({ labels: series.map((s) => s.label), data: toData(times, series) }));

  // (Re)build when what is drawn changes shape, or the theme changes.
  useEffect(() => {
    const host = container.current;
    if (!host || !tip.current) return;
    const { labels, data } = current();
    const chart = new uPlot(options(Math.max(1, host.clientWidth), height, unit, labels, resolveColors(host), tip.current), data, host);
    plot.current = chart;
    const resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry.contentRect.width);
      if (width > 0 && width !== chart.width) chart.setSize({ width, height });
    });
    resize.observe(host);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [structure, theme, height, unit]);

  // New rows: same chart, new data.
  useEffect(() => {
    plot.current?.setData(toData(times, series));
  }, [times, series]);

  // What the figure shows, for tests and tools: how many points the first line has, and the time of its newest.
  const first = series[0]?.values ?? [];
  const known = first.filter((v) => v !== null).length;
  const newest = first.findLastIndex((v) => v !== null);
  return (
    <figure
      aria-label={`${title} chart`}
      data-points={known}
      data-last-time={newest >= 0 ? times[newest] : undefined}
      className="min-w-0 rounded-lg border border-line bg-surface p-3"
    >
      <figcaption className="mb-2 text-sm font-semibold">{title}</figcaption>
      <div className="relative w-full min-w-0">
        <div ref={container} aria-hidden="true" className="w-full min-w-0" />
        <div
          ref={tip}
          hidden
          className="pointer-events-none absolute top-0 left-0 z-10 rounded-md border border-line bg-surface px-2 py-1.5 text-xs shadow-md"
        />
      </div>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label={`${title}: last values`}>
        {series.map((s, i) => (
          <li key={s.label} className="flex items-center gap-1.5">
            <span aria-hidden="true" className={cx("inline-block size-2.5 shrink-0 rounded-sm", PALETTE[i % PALETTE.length].swatch)} />
            <span className="text-muted">{s.label}</span>
            <span className="font-medium tabular-nums">{formatChartValue(lastKnown(s.values), unit)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
