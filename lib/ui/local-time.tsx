/**
 * A date shown in the viewer's own time zone: `<LocalTime value={pool.disconnectedAt} format="since" />`.
 * formats: "datetime" 2025-11-24 12:03 · "date" 2025-11-24 · "since" 12:03 (or date + time if not today) ·
 * "relative" 3 min ago (ticks; full date on hover). Unparsable values render "—".
 *
 * Render it from server components: this wrapper records when the server rendered, so that hydration sees the
 * same text as the HTML. From a client component, pass `renderedAt` from the server for the same reason.
 */
import { MISSING, toDate, type DateInput } from "./format";
import { LocalTimeClient, type TimeFormat } from "./local-time-client";

export type { TimeFormat };

export function LocalTime({ value, format = "datetime", renderedAt }: { value: DateInput | null | undefined; format?: TimeFormat; renderedAt?: number }) {
  const date = toDate(value);
  if (!date) return <span>{MISSING}</span>;
  // Rendered on the server once per request, so the time of this render is what relative times count from.
  // eslint-disable-next-line react-hooks/purity
  return <LocalTimeClient iso={date.toISOString()} format={format} renderedAt={renderedAt ?? Date.now()} />;
}
