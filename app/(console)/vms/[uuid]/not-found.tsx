import { NotFoundState } from "@/lib/ui/error-state";

/** An unknown VM, or one the user may not see: the same answer. */
export default function VmNotFound() {
  return <NotFoundState what="VM" />;
}
