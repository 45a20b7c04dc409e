import { NotFoundState } from "@/lib/ui/error-state";

/** An unknown host, or one the user may not see: the same answer. */
export default function HostNotFound() {
  return <NotFoundState what="host" />;
}
