import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { can } from "@/lib/access/can";
import { requireUser } from "@/lib/auth/current-user";
import { Card } from "@/lib/ui/card";
import { PageHeader } from "@/lib/ui/page-header";
import { PoolForm } from "@/app/(console)/pools/_components/pool-form";

export const metadata: Metadata = { title: "Register a pool" };

export default async function NewPoolPage() {
  const user = await requireUser();
  if (!can(user, "pools.register")) notFound();
  return (
    <>
      <PageHeader
        title="Register a pool"
        breadcrumbs={[{ label: "Pools", href: "/pools" }, { label: "Register" }]}
        description="XenDeck logs in to the pool with this account and keeps a live view of it."
      />
      <Card>
        <PoolForm />
      </Card>
    </>
  );
}
