import { NotFoundState } from "@/lib/ui/error-state";

/** `notFound()` from any console page (unknown VM, pool, host, or one the user may not see), inside the shell. */
export default function ConsoleNotFound() {
  return <NotFoundState />;
}
