/**
 * A pool task in words: what it does ("Copy" for `Async.VM.copy`), whether it is routine noise (the storage
 * rescans, plugin calls and statistics downloads Xen Orchestra hides by default), its estimated end (Xen
 * Orchestra's rule: not before 10 s, nor at 0 or 100%). Pure.
 */

const VERBS: Record<string, string> = {
  "VM.start": "Start",
  "VM.start_on": "Start on a host",
  "VM.clean_shutdown": "Shut down",
  "VM.hard_shutdown": "Force shutdown",
  "VM.shutdown": "Shut down",
  "VM.clean_reboot": "Reboot",
  "VM.hard_reboot": "Force reboot",
  "VM.suspend": "Suspend",
  "VM.resume": "Resume",
  "VM.resume_on": "Resume on a host",
  "VM.pause": "Pause",
  "VM.unpause": "Unpause",
  "VM.pool_migrate": "Migrate",
  "VM.migrate_send": "Migrate to another pool",
  "VM.clone": "Clone",
  "VM.copy": "Copy",
  "VM.snapshot": "Snapshot",
  "VM.checkpoint": "Checkpoint",
  "VM.revert": "Revert to snapshot",
  "VM.destroy": "Delete",
  "VM.provision": "Provision",
  "VM.import": "Import VM",
  "VM.export": "Export VM",
  "host.evacuate": "Evacuate host",
  "host.reboot": "Reboot host",
  "host.shutdown": "Shut down host",
  "host.enable": "Enable host",
  "host.disable": "Disable host",
  "SR.scan": "Rescan storage",
  "SR.create": "Create storage",
  "VDI.create": "Create disk",
  "VDI.destroy": "Delete disk",
  "VDI.resize": "Resize disk",
  "VDI.copy": "Copy disk",
  "VBD.plug": "Attach disk",
  "VBD.unplug": "Detach disk",
  "VIF.plug": "Attach interface",
  "VIF.unplug": "Detach interface",
  "pool.designate_new_master": "Change pool master",
};

/** "Copy" for `Async.VM.copy`; a label XAPI wrote in words ("Host is rebooting") stays as it is. */
export function taskVerb(nameLabel: string): string {
  const method = nameLabel.replace(/^Async\./, "");
  if (VERBS[method]) return VERBS[method];
  const call = /^([A-Za-z_]+)\.([a-z_]+)$/.exec(method);
  if (!call) return nameLabel || "Task";
  const words = call[2]!.replace(/_/g, " ");
  return `${call[1]} ${words}`;
}

/** Routine tasks hidden by default, as Xen Orchestra's tasks page does (`!name_label: |(SR.scan host.call_plugin "/rrd_updates")`). */
const ROUTINE = ["SR.scan", "host.call_plugin", "/rrd_updates"];

export function isRoutineTask(nameLabel: string): boolean {
  const name = nameLabel.toLowerCase();
  return ROUTINE.some((noise) => name.includes(noise.toLowerCase()));
}

/** When a running task should end at its current pace (ms since the epoch), or null when it is too early to say. */
export function estimatedEnd(createdMs: number, progress: number, nowMs: number): number | null {
  const elapsed = nowMs - createdMs;
  if (!(progress > 0 && progress < 1) || elapsed < 10_000) return null;
  return createdMs + elapsed / progress;
}

/** "42 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}
