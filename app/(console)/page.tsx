import type { Metadata } from "next";
import { Card } from "@/lib/ui/card";
import { EmptyState } from "@/lib/ui/empty-state";
import { PageHeader } from "@/lib/ui/page-header";

export const metadata: Metadata = { title: "Dashboard" };

/**
 * Placeholder until the inventory read models exist: it says what the dashboard will show and shows no numbers,
 * rather than made-up ones. The pages phase replaces each card with a <Suspense>-wrapped widget.
 */
const PLANNED = [
  { title: "Pools", text: "Each registered pool you can see, with its live connection status and since when." },
  { title: "Hosts", text: "How many hosts are up, and memory used out of total across your pools." },
  { title: "Virtual machines", text: "Running, halted, suspended and paused VM counts, linking to the filtered VM list." },
  { title: "Pools in trouble", text: "Pools that are disconnected, reconnecting or failing, with the reason." },
];

export default function DashboardPage() {
  return (
    <>
      <PageHeader title="Dashboard" description="An overview of the pools, hosts and VMs you have access to." />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-4">
        {PLANNED.map((card) => (
          <Card key={card.title} title={card.title} padded={false}>
            <EmptyState title="Not available yet" icon="info">
              {card.text}
            </EmptyState>
          </Card>
        ))}
      </div>
    </>
  );
}
