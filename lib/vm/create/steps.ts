/**
 * The steps of a VM creation, in XAPI order (as Xen Orchestra calls it), with the words the progress list shows.
 * Plain data; client-safe.
 */
export const CREATION_STEP_IDS = ["clone", "provision", "settings", "cd", "disks", "config-drive", "interfaces", "start"] as const;
export type CreationStepId = (typeof CREATION_STEP_IDS)[number];

/** `undone`: done, then removed again because a later step failed. */
export type CreationStepState = "pending" | "running" | "done" | "failed" | "skipped" | "undone";

export interface CreationStep {
  id: CreationStepId;
  label: string;
  state: CreationStepState;
  /** "2 of 3", the task's progress... */
  detail?: string;
}

export const CREATION_STEP_LABELS: Record<CreationStepId, string> = {
  clone: "Copy the template",
  provision: "Turn the copy into a VM",
  settings: "Set vCPUs, memory, boot order and home host",
  cd: "Add the CD drive",
  disks: "Create the disks",
  "config-drive": "Write the cloud-init config drive",
  interfaces: "Add the network interfaces",
  start: "Start the VM",
};

/** What the progress route answers: the steps as they stand, and whether the creation is over. */
export interface CreationProgress {
  steps: CreationStep[];
  done: boolean;
}
