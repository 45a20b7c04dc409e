import { VmNotFound } from "./_components/vm-gone";

/** An unknown VM, or one the user may not see: the same answer (unless this tab was showing it: then it has gone). */
export default function VmNotFoundPage() {
  return <VmNotFound />;
}
