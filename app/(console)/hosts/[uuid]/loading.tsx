import { PageSkeleton } from "@/lib/ui/skeleton";

export default function Loading() {
  return <PageSkeleton label="Loading the host…" />;
}
