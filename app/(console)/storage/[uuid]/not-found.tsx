import { NotFoundState } from "@/lib/ui/error-state";

/** An unknown SR, or one the user may not see: the same answer. */
export default function SrNotFound() {
  return <NotFoundState what="storage repository" />;
}
