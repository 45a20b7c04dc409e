import { NotFoundState } from "@/lib/ui/error-state";

/** An unknown pool, or one the user may not see: the same answer. */
export default function PoolNotFound() {
  return <NotFoundState what="pool" />;
}
