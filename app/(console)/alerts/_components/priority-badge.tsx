/** An alert's priority as a badge: critical and major in red, warnings in amber, the rest quieter. */
import type { Priority } from "@/lib/alerts/alert-text";
import { Badge } from "@/lib/ui/badge";
import type { Tone } from "@/lib/ui/tone";

const TONES: Record<Priority, Tone> = { 1: "error", 2: "error", 3: "warn", 4: "info", 5: "neutral" };

export function PriorityBadge({ priority, label }: { priority: Priority; label: string }) {
  return (
    <Badge tone={TONES[priority]} dot={priority <= 2}>
      {label}
    </Badge>
  );
}
