import { NotFoundState } from "@/lib/ui/error-state";

/** An unknown network, or one the user may not see: the same answer. */
export default function NetworkNotFound() {
  return <NotFoundState what="network" />;
}
