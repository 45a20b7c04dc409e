/**
 * RRD archives and their wire formats, as xcp-rrdd writes them (xen-api ocaml/libs/xapi-rrd: rrd.ml,
 * rrd_updates.ml). Every host and VM RRD has four AVERAGE archives (xff 0.5): 120 rows of 5 s (10 minutes),
 * 120 of 1 min (2 hours), 168 of 1 h (a week) and 366 of 1 day (a year). A row stamped `t` covers [t - step, t)
 * and is the mean of the known 5-second PDPs in it, or NaN when more than half are unknown.
 *
 * - `/rrd_updates` (rrdtool xport): the archive is the first whose resolution is at least `interval` and that
 *   still holds `start`; rows newest first from the last complete one back to `start`. XML, or JSON in one of three
 *   shapes: today's (every number a string), the one of xapi builds of early 2024 (`data` inside `meta`), and the
 *   hand-written JSON of older versions (bare keys, bare numbers, bare NaN; it fails when there is no row).
 * - `/host_rrd`, `/vm_rrd` (rrdtool dump): every archive, rows oldest first.
 * Numbers are written with `%0.5g` (five significant digits), zero as `0.0`, NaN and Infinity as words.
 */
import { PDP_SECONDS } from "./rrd-signal";
import type { RrdSource } from "./rrd-sources";

export interface Archive {
  /** PDPs per row. */
  pdps: number;
  rows: number;
}

export const ARCHIVES: readonly Archive[] = [
  { pdps: 1, rows: 120 },
  { pdps: 12, rows: 120 },
  { pdps: 720, rows: 168 },
  { pdps: 17_280, rows: 366 },
];

/** Share of unknown PDPs above which a row is unknown. */
export const XFF = 0.5;

export type JsonFlavor = "current" | "data-in-meta" | "legacy";
export const JSON_FLAVORS: readonly JsonFlavor[] = ["current", "data-in-meta", "legacy"];

/** rrdtool's consolidation: the mean of the known PDPs, or NaN when too many are unknown. */
export function consolidate(sum: number, known: number, pdps: number): number {
  return pdps - known > Math.floor(XFF * pdps) ? NaN : sum / known;
}

/** `Printf.sprintf "%0.5g"` as xcp-rrdd writes values (`f_to_s`). Hot: a big host's answer has a million values. */
export function formatValue(x: number): string {
  if (x === 0) return "0.0";
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
  const magnitude = x < 0 ? -x : x;
  // Where %g writes fixed notation, toPrecision does too (it differs only below 1e-4 and from 1e5 on).
  if (magnitude >= 1e-4 && magnitude < 99_999.5) return stripZeros(x.toPrecision(5));
  const exponential = x.toExponential(4);
  const e = exponential.indexOf("e");
  const exponent = Number(exponential.slice(e + 1));
  if (exponent >= -4 && exponent < 5) return stripZeros(x.toPrecision(5));
  return `${stripZeros(exponential.slice(0, e))}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

/** "1.2000" → "1.2", "12.000" → "12" (as %g does). */
function stripZeros(text: string): string {
  if (text.indexOf(".") < 0) return text;
  let end = text.length;
  while (text.charCodeAt(end - 1) === 48) end--;
  if (text.charCodeAt(end - 1) === 46) end--;
  return text.slice(0, end);
}

/** `Rrd.find_best_rras`: the archive for `start` at `pdpInterval` PDPs per row at least; undefined: none. */
export function bestArchive(lastUpdated: number, pdpInterval: number, start: number): Archive | undefined {
  const lastPdp = Math.floor(lastUpdated / PDP_SECONDS) * PDP_SECONDS;
  const holds = (archive: Archive, t: number) => archive.pdps >= pdpInterval && t > lastPdp - PDP_SECONDS * archive.rows * archive.pdps;
  const found = ARCHIVES.find((archive) => holds(archive, start));
  if (found) return found;
  // Nothing reaches back that far: the archive with the oldest data, if it is coarse enough.
  const longest = ARCHIVES[ARCHIVES.length - 1];
  const oldest = 1 + lastPdp - PDP_SECONDS * longest.rows * longest.pdps;
  return ARCHIVES.find((archive) => holds(archive, oldest));
}

export interface XportMeta {
  start: number;
  step: number;
  end: number;
  legend: string[];
  /** Row times, newest first. */
  times: number[];
}

export interface Xport extends XportMeta {
  /** Computes the values of row `i` (of `times`). */
  row(i: number): Float64Array;
}

/** One row's values for every source, in legend order. */
function rowValues(sources: readonly RrdSource[], offsets: number[], width: number, t: number, pdps: number): Float64Array {
  const sums = new Float64Array(width);
  const values = new Float64Array(width);
  const p1 = t / PDP_SECONDS;
  sources.forEach((source, s) => {
    const known = source.accumulate(p1 - pdps, p1, sums, offsets[s]);
    for (let d = 0; d < source.dss.length; d++) values[offsets[s] + d] = consolidate(sums[offsets[s] + d], known, pdps);
  });
  return values;
}

/**
 * `Rrd_updates.export`: `start` in host seconds (negative: relative to the last update), `interval` in seconds.
 * Undefined when no archive fits (XAPI answers that with an error).
 */
export function xport(sources: readonly RrdSource[], lastUpdated: number, start: number, interval: number): Xport | undefined {
  if (sources.length === 0) return undefined;
  const from = start < 0 ? start + Math.trunc(lastUpdated) : start;
  const archive = bestArchive(lastUpdated, Math.floor(interval / PDP_SECONDS), from);
  if (!archive) return undefined;
  const step = PDP_SECONDS * archive.pdps;
  const end = Math.floor(Math.trunc(lastUpdated) / step) * step;
  const times: number[] = [];
  for (let i = 0; i < archive.rows; i++) {
    const t = end - i * step;
    if (t < from) break;
    times.push(t);
  }
  const legend: string[] = [];
  const offsets: number[] = [];
  for (const source of sources) {
    offsets.push(legend.length);
    for (const ds of source.dss) legend.push(`AVERAGE:${source.kind}:${source.uuid}:${ds.name}`);
  }
  return {
    start: Math.floor(from / step) * step + step,
    step,
    end,
    legend,
    times,
    row: (i) => rowValues(sources, offsets, legend.length, times[i], archive.pdps),
  };
}

const escapeXml = (text: string) => text.replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!);

/** The xport document in pieces (the caller joins them, yielding between rows of big answers). */
export function* xportXml(x: Xport): Generator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<xport><meta><start>${x.start}</start><step>${x.step}</step><end>${x.end}</end><rows>${x.times.length}</rows><columns>${x.legend.length}</columns><legend>`;
  yield x.legend.map((entry) => `<entry>${escapeXml(entry)}</entry>`).join("");
  yield "</legend></meta><data>";
  for (let i = 0; i < x.times.length; i++) {
    const values = x.row(i);
    let row = `<row><t>${x.times[i]}</t>`;
    for (let c = 0; c < values.length; c++) row += `<v>${formatValue(values[c])}</v>`;
    yield `${row}</row>`;
  }
  yield "</data></xport>";
}

/** The JSON xport in the shape of a given xapi generation; undefined for the legacy shape without rows (it fails). */
export function* xportJson(x: Xport, flavor: JsonFlavor): Generator<string> {
  if (flavor === "legacy") {
    yield `{meta: {start:${x.start},step:${x.step},end:${x.end},rows:${x.times.length},columns:${x.legend.length},`;
    yield `legend:[${x.legend.map((entry) => JSON.stringify(entry)).join(",")}]},data:[`;
    for (let i = 0; i < x.times.length; i++) {
      const values = x.row(i);
      let row = `${i > 0 ? "," : ""}{t:${x.times[i]},values:[`;
      for (let c = 0; c < values.length; c++) row += `${c > 0 ? "," : ""}${formatValue(values[c])}`;
      yield `${row}]}`;
    }
    yield "]}";
    return;
  }
  // Today's xapi builds every field with Rrd.Json, whose numbers are all strings.
  const meta = `"start":"${x.start}","step":"${x.step}","end":"${x.end}","rows":"${x.times.length}","columns":"${x.legend.length}","legend":${JSON.stringify(x.legend)}`;
  yield flavor === "data-in-meta" ? `{"meta":{${meta},"data":[` : `{"meta":{${meta}},"data":[`;
  for (let i = 0; i < x.times.length; i++) {
    const values = x.row(i);
    let row = `${i > 0 ? "," : ""}{"t":"${x.times[i]}","values":[`;
    for (let c = 0; c < values.length; c++) row += `${c > 0 ? ',"' : '"'}${formatValue(values[c])}"`;
    yield `${row}]}`;
  }
  yield flavor === "data-in-meta" ? "]}}" : "]}";
}

interface DumpArchive {
  archive: Archive;
  /** Rows oldest first. */
  rows: Float64Array[];
  /** The CDP being prepared: its value so far (sum / PDPs per row) and unknown PDPs so far. */
  prep: { value: number; unknown: number }[];
}

function dumpArchives(source: RrdSource, lastUpdated: number): { lastPdpValues: Float64Array; archives: DumpArchive[] } {
  const width = source.dss.length;
  const lastPdp = Math.floor(lastUpdated / PDP_SECONDS);
  const archives = ARCHIVES.map((archive) => {
    const step = PDP_SECONDS * archive.pdps;
    const end = Math.floor(Math.trunc(lastUpdated) / step) * step;
    const rows = Array.from({ length: archive.rows }, (_, r) => rowValues([source], [0], width, end - (archive.rows - 1 - r) * step, archive.pdps));
    const sums = new Float64Array(width);
    const done = lastPdp - end / PDP_SECONDS;
    const known = done > 0 ? source.accumulate(end / PDP_SECONDS, lastPdp, sums, 0) : 0;
    const prep = Array.from(sums, (sum) => ({ value: sum / archive.pdps, unknown: done - known }));
    return { archive, rows, prep };
  });
  return { lastPdpValues: archives[0].rows[archives[0].rows.length - 1], archives };
}

/** `/host_rrd` or `/vm_rrd` as XML (rrdtool dump). */
export function* rrdDumpXml(source: RrdSource, lastUpdated: number): Generator<string> {
  const { lastPdpValues, archives } = dumpArchives(source, lastUpdated);
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<rrd><version>0003</version><step>${PDP_SECONDS}</step><lastupdate>${Math.trunc(lastUpdated)}</lastupdate>`;
  yield source.dss
    .map(
      (ds, d) =>
        `<ds><name>${ds.name}</name><type>${ds.type}</type><minimal_heartbeat>300.0</minimal_heartbeat><min>${formatValue(ds.min)}</min><max>${formatValue(ds.max)}</max><last_ds>${formatValue(lastPdpValues[d])}</last_ds><value>0.0</value><unknown_sec>0</unknown_sec></ds>`,
    )
    .join("");
  for (const { archive, rows, prep } of archives) {
    yield `<rra><cf>AVERAGE</cf><pdp_per_row>${archive.pdps}</pdp_per_row><params><xff>${formatValue(XFF)}</xff></params><cdp_prep>`;
    yield prep
      .map(
        (p) =>
          `<ds><primary_value>0.0</primary_value><secondary_value>0.0</secondary_value><value>${formatValue(p.value)}</value><unknown_datapoints>${p.unknown}</unknown_datapoints></ds>`,
      )
      .join("");
    yield "</cdp_prep><database>";
    for (const row of rows) yield `<row>${Array.from(row, (v) => `<v>${formatValue(v)}</v>`).join("")}</row>`;
    yield "</database></rra>";
  }
  yield "</rrd>";
}

/** `/host_rrd?json` or `/vm_rrd?json` (Rrd.Json: every number a string). */
export function* rrdDumpJson(source: RrdSource, lastUpdated: number): Generator<string> {
  const { lastPdpValues, archives } = dumpArchives(source, lastUpdated);
  const str = (v: number) => `"${formatValue(v)}"`;
  const dss = source.dss.map(
    (ds, d) =>
      `{"name":"${ds.name}","type":"${ds.type}","minimal_heartbeat":"300.0","min":${str(ds.min)},"max":${str(ds.max)},"last_ds":${str(lastPdpValues[d])},"value":"0.0","unknown_sec":"0.0"}`,
  );
  yield `{"version":"0003","step":"${PDP_SECONDS}","lastupdate":${str(lastUpdated)},"ds":[${dss.join(",")}],"rra":[`;
  for (const [i, { archive, rows, prep }] of archives.entries()) {
    const cdps = prep.map((p) => `{"primary_value":"0.0","secondary_value":"0.0","value":${str(p.value)},"unknown_datapoints":"${p.unknown}"}`);
    yield `${i > 0 ? "," : ""}{"cf":"AVERAGE","pdp_per_row":"${archive.pdps}","params":{"xff":${str(XFF)}},"cdp_prep":{"ds":[${cdps.join(",")}]},"database":[`;
    yield rows.map((row) => `[${Array.from(row, str).join(",")}]`).join(",");
    yield "]}";
  }
  yield "]}";
}
