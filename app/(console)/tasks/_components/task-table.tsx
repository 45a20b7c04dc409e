/**
 * Tasks as a table: what and on which objects, its state with a progress bar while it runs, who started it (when
 * XenDeck did), started and elapsed time, estimated end, and the result or the error in words.
 */
import Link from "next/link";
import type { TaskDto, TaskState } from "@/lib/tasks/tasks";
import { formatDuration } from "@/lib/tasks/task-text";
import { Badge } from "@/lib/ui/badge";
import { Cell, DataTable, HeaderCell, TableBody, TableHead, TableRow } from "@/lib/ui/data-table";
import { LocalTime } from "@/lib/ui/local-time";
import { ProgressBar } from "@/lib/ui/progress";
import type { Tone } from "@/lib/ui/tone";
import { CancelTaskButton } from "./cancel-task";

const STATES: Record<TaskState, { label: string; tone: Tone }> = {
  running: { label: "Running", tone: "info" },
  cancelling: { label: "Cancelling", tone: "warn" },
  succeeded: { label: "Succeeded", tone: "ok" },
  failed: { label: "Failed", tone: "error" },
  cancelled: { label: "Cancelled", tone: "neutral" },
  ended: { label: "Ended", tone: "neutral" },
};

export function TaskTable({ tasks, label }: { tasks: TaskDto[]; label: string }) {
  const cancellable = tasks.some((task) => task.cancel !== null && task.ended === null);
  return (
    <DataTable label={label}>
      <TableHead>
        <tr>
          <HeaderCell>Task</HeaderCell>
          <HeaderCell>State</HeaderCell>
          <HeaderCell>Pool</HeaderCell>
          <HeaderCell>Started by</HeaderCell>
          <HeaderCell>Started</HeaderCell>
          <HeaderCell>Duration</HeaderCell>
          {cancellable && (
            <HeaderCell>
              <span className="sr-only">Actions</span>
            </HeaderCell>
          )}
        </tr>
      </TableHead>
      <TableBody>
        {tasks.map((task) => (
          <TableRow key={task.uuid}>
            <Cell className="min-w-56">
              <span className="font-medium">{task.title}</span>
              <span className="block text-xs text-muted">
                {task.objects.length > 0 &&
                  task.objects.map((object, index) => (
                    <span key={object.uuid}>
                      {index > 0 && ", "}
                      {object.href ? (
                        <Link href={object.href} prefetch={false} className="text-link hover:underline">
                          {object.name}
                        </Link>
                      ) : (
                        object.name
                      )}
                    </span>
                  ))}
                {task.objects.length > 0 && task.host && " · "}
                {task.host && <>on {task.host.name}</>}
                {task.steps > 0 && ` · ${task.steps} ${task.steps === 1 ? "step" : "steps"}`}
              </span>
              {task.error && <span className="block text-xs break-words text-error-text">{task.error}</span>}
              {task.result && <span className="block text-xs text-muted">{task.result}</span>}
            </Cell>
            <Cell className="min-w-40">
              {task.ended === null ? (
                <ProgressBar label={`${STATES[task.state].label}: ${task.title}`} value={task.progress} showLabel className="max-w-48" />
              ) : (
                <Badge tone={STATES[task.state].tone}>{STATES[task.state].label}</Badge>
              )}
              {task.state === "ended" && <span className="block text-xs text-muted">Left the pool before XenDeck saw its outcome</span>}
            </Cell>
            <Cell>{task.pool.label}</Cell>
            <Cell muted={!task.startedBy}>{task.startedBy ?? "—"}</Cell>
            <Cell className="whitespace-nowrap">
              <LocalTime value={task.created} format="relative" />
            </Cell>
            <Cell className="whitespace-nowrap">
              {formatDuration(task.elapsedMs)}
              {task.estimatedEnd && (
                <span className="block text-xs text-muted">
                  ends <LocalTime value={task.estimatedEnd} format="relative" />
                </span>
              )}
            </Cell>
            {cancellable && (
              <Cell>
                {task.cancel && task.ended === null && (
                  <CancelTaskButton
                    task={task.uuid}
                    title={task.title}
                    unavailableReason={task.cancel.allowed ? null : "XAPI does not allow cancelling it now"}
                  />
                )}
              </Cell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </DataTable>
  );
}
