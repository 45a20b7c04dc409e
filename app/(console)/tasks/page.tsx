import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { loadPoolViews, troubledPools } from "@/lib/pools/views";
import { visibleTasks } from "@/lib/tasks/tasks";
import { ButtonLink } from "@/lib/ui/button";
import { Card, Section } from "@/lib/ui/card";
import { EmptyState } from "@/lib/ui/empty-state";
import { formatCount } from "@/lib/ui/format";
import { LiveUpdates } from "@/lib/ui/live/live-updates";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolBanners } from "@/lib/ui/pool-banners";
import { TaskTable } from "./_components/task-table";

export const metadata: Metadata = { title: "Tasks" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function TasksPage({ searchParams }: Props) {
  const user = await requireUser();
  const showRoutine = (await searchParams).show === "all";
  const views = await loadPoolViews();
  const all = await visibleTasks(user, { views });
  const tasks = showRoutine ? all : all.filter((task) => !task.routine);
  const running = tasks.filter((task) => task.ended === null);
  const finished = tasks.filter((task) => task.ended !== null);
  const hidden = all.length - tasks.length;
  const poolIds = new Set(all.map((task) => task.pool.id));

  return (
    <>
      <PageHeader
        title="Tasks"
        description={`${formatCount(running.length, "task")} running; finished tasks stay listed for an hour.`}
        actions={
          hidden > 0 || showRoutine ? (
            <ButtonLink href={showRoutine ? "/tasks" : "/tasks?show=all"} variant="ghost" size="sm">
              {showRoutine ? "Hide routine tasks" : `Show ${formatCount(hidden, "routine task")}`}
            </ButtonLink>
          ) : undefined
        }
      />
      <LiveUpdates pools={views.filter((view) => view.connection)} />
      <PoolBanners pools={troubledPools(views, poolIds)} />
      <div className="space-y-5">
        <Section title="Running">
          {running.length === 0 ? (
            <Card padded={false}>
              <EmptyState title="Nothing running" icon="activity">
                Operations started on the pools you have access to appear here while they run.
              </EmptyState>
            </Card>
          ) : (
            <TaskTable tasks={running} label="Running tasks" />
          )}
        </Section>
        <Section title="Finished" description="Storage rescans, plugin calls and statistics downloads are routine tasks, hidden unless asked for.">
          {finished.length === 0 ? (
            <Card padded={false}>
              <EmptyState title="No finished tasks" icon="activity">
                Nothing has finished in the last hour.
              </EmptyState>
            </Card>
          ) : (
            <TaskTable tasks={finished} label="Finished tasks" />
          )}
        </Section>
      </div>
    </>
  );
}
