/**
 * The VM hardware edits: vCPUs and memory, disks (create, attach an existing one, detach, grow, delete), the CD
 * drive (insert, eject), network interfaces (add, remove, plug, unplug) and tags. For each: the `can()` action
 * that authorizes it and its verb for XAPI's errors; the input schemas (zod, with the messages the forms show).
 * Pure; shared by the Hardware tab and the runner (hardware-actions.ts).
 */
import { z } from "zod";
import type { ObjectAction } from "@/lib/access/can";
import { macSchema, MAX_DISK_BYTES } from "@/lib/vm/create/input";
import { NAME_MAX } from "@/lib/vm/management";
import { countSchema, MiB, sizeSchema, TiB } from "@/lib/vm/sizes";
import { objectUuidSchema } from "@/lib/actions/object-uuid";

export const VM_HARDWARE_IDS = [
  "resources",
  "disk.create",
  "disk.attach",
  "disk.detach",
  "disk.resize",
  "disk.delete",
  "cd.insert",
  "cd.eject",
  "vif.create",
  "vif.remove",
  "vif.plug",
  "vif.unplug",
  "tags.add",
  "tags.remove",
] as const;
export type VmHardwareId = (typeof VM_HARDWARE_IDS)[number];

export const VM_HARDWARE: Record<VmHardwareId, { permission: ObjectAction; verb: string }> = {
  resources: { permission: "vm.edit.hardware", verb: "change the vCPUs or memory of" },
  "disk.create": { permission: "vm.edit.hardware", verb: "add a disk to" },
  "disk.attach": { permission: "vm.edit.hardware", verb: "attach a disk to" },
  "disk.detach": { permission: "vm.edit.hardware", verb: "detach a disk from" },
  "disk.resize": { permission: "vm.edit.hardware", verb: "resize a disk of" },
  "disk.delete": { permission: "vm.edit.hardware", verb: "delete a disk of" },
  "cd.insert": { permission: "vm.cd", verb: "insert an ISO into" },
  "cd.eject": { permission: "vm.cd", verb: "eject the ISO of" },
  "vif.create": { permission: "vm.edit.hardware", verb: "add a network interface to" },
  "vif.remove": { permission: "vm.edit.hardware", verb: "remove a network interface of" },
  "vif.plug": { permission: "vm.edit.hardware", verb: "plug a network interface of" },
  "vif.unplug": { permission: "vm.edit.hardware", verb: "unplug a network interface of" },
  "tags.add": { permission: "vm.edit.tags", verb: "tag" },
  "tags.remove": { permission: "vm.edit.tags", verb: "untag" },
};

export const TAG_MAX = 64;

const uuid = objectUuidSchema;
const vm = uuid("A VM");
const memory = (what: string) => sizeSchema(what, "MiB", 16 * MiB).refine((bytes) => bytes <= 6 * TiB, "At most 6 TiB");
const diskSize = sizeSchema("disk size", "GiB", MiB).refine((bytes) => bytes <= MAX_DISK_BYTES, "A disk holds at most 2040 GiB");

export const tagSchema = z
  .string({ error: "Enter a tag" })
  .trim()
  .min(1, "Enter a tag")
  .max(TAG_MAX, `Use at most ${TAG_MAX} characters`)
  .refine((tag) => !/[\u0000-\u001f\u007f]/.test(tag), "Use letters, digits, spaces and punctuation only");

export const vmHardwareInputSchema = z.discriminatedUnion(
  "operation",
  [
    /**
     * vCPUs and memory. Halted: every figure (`vcpus` at start, `vcpusMax`, static `memory`, dynamic range).
     * Running: what XAPI changes live (the vCPUs up to the maximum, the dynamic range); the others must stay.
     */
    z.object({
      operation: z.literal("resources"),
      vm,
      vcpus: countSchema("vCPUs", 1, 256),
      vcpusMax: countSchema("vCPUs", 1, 256).optional(),
      memory: memory("memory").optional(),
      dynamicMin: memory("dynamic minimum"),
      dynamicMax: memory("dynamic maximum"),
    }),
    z.object({
      operation: z.literal("disk.create"),
      vm,
      name: z.string().trim().min(1, "Enter a name").max(NAME_MAX, `Use at most ${NAME_MAX} characters`),
      size: diskSize,
      sr: uuid("A storage repository"),
    }),
    z.object({ operation: z.literal("disk.attach"), vm, vdi: uuid("A disk") }),
    z.object({ operation: z.literal("disk.detach"), vm, vbd: uuid("A disk") }),
    z.object({ operation: z.literal("disk.resize"), vm, vbd: uuid("A disk"), size: diskSize }),
    z.object({ operation: z.literal("disk.delete"), vm, vbd: uuid("A disk") }),
    z.object({ operation: z.literal("cd.insert"), vm, iso: uuid("An ISO") }),
    z.object({ operation: z.literal("cd.eject"), vm }),
    z.object({ operation: z.literal("vif.create"), vm, network: uuid("A network"), mac: macSchema.optional().default("") }),
    z.object({ operation: z.literal("vif.remove"), vm, vif: uuid("A network interface") }),
    z.object({ operation: z.literal("vif.plug"), vm, vif: uuid("A network interface") }),
    z.object({ operation: z.literal("vif.unplug"), vm, vif: uuid("A network interface") }),
    z.object({ operation: z.literal("tags.add"), vm, tag: tagSchema }),
    z.object({ operation: z.literal("tags.remove"), vm, tag: tagSchema }),
  ],
  { error: "Unknown operation" },
);

export type VmHardwareInput = z.input<typeof vmHardwareInputSchema>;
export type ParsedVmHardwareInput = z.output<typeof vmHardwareInputSchema>;
