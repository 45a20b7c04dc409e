import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/current-user";
import { vmCreationForm } from "@/lib/inventory/vm-creation";
import { Card } from "@/lib/ui/card";
import { EmptyState } from "@/lib/ui/empty-state";
import { PageHeader } from "@/lib/ui/page-header";
import { NewVmForm } from "./_components/new-vm-form";

export const metadata: Metadata = { title: "New VM · VMs" };

export default async function NewVmPage() {
  const user = await requireUser();
  const pools = await vmCreationForm(user);
  return (
    <>
      <PageHeader
        title="New VM"
        breadcrumbs={[{ label: "VMs", href: "/vms" }, { label: "New VM" }]}
        description="From a template of a pool you administer, with the storage, networks and ISOs you may use."
      />
      {pools.length === 0 ? (
        <Card padded={false}>
          <EmptyState title="No pool to create VMs in" icon="vm">
            Creating VMs takes the admin role on a connected pool that is not read-only.
          </EmptyState>
        </Card>
      ) : (
        <NewVmForm pools={pools} />
      )}
    </>
  );
}
