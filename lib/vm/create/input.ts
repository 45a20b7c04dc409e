/**
 * What the New VM form sends, as the server reads it (zod, with the messages the form shows), and the facts of a
 * template the form and the server both use: the disks of its `other_config:disks` provision spec, its limits
 * (`recommendations`), whether it is a cloud-init template. Pure; client-safe.
 */
import { z } from "zod";
import { formBoolean } from "@/lib/result";
import { NAME_MAX, vmDescriptionSchema, vmNameSchema } from "@/lib/vm/management";
import { countSchema, GiB, MiB, sizeSchema, TiB } from "@/lib/vm/sizes";
import { CLOUD_INIT_TEXT_MAX } from "./cloud-init";
import { objectUuidSchema } from "@/lib/actions/object-uuid";

export const MAX_NEW_DISKS = 8;
/** XAPI's VIF positions 0-15; templates recommend at most 7 interfaces. */
export const MAX_INTERFACES = 7;
export const MIN_MEMORY = 64 * MiB;
/** VHD disks (every SR type XenDeck offers) hold at most 2040 GiB. */
export const MAX_DISK_BYTES = 2040 * GiB;
export const CLOUD_INIT_TAG = "cloud-init";

const uuid = objectUuidSchema;
const optionalUuid = (what: string) =>
  z
    .union([z.literal(""), uuid(what)])
    .optional()
    .default("");

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
/** A MAC address as XAPI stores it (lower case, colons), or "" for one XAPI chooses. */
export const macSchema = z
  .string({ error: "Enter a MAC address or leave it empty" })
  .trim()
  .transform((mac) => mac.toLowerCase().replace(/-/g, ":"))
  .refine((mac) => mac === "" || MAC.test(mac), "Enter a MAC address such as 02:ab:cd:12:34:56, or leave it empty for one chosen by the pool")
  .refine((mac) => mac === "" || (parseInt(mac.slice(0, 2), 16) & 1) === 0, "This is a multicast address; a network interface needs a unicast one");

const diskSize = sizeSchema("disk size", "GiB", MiB).refine((bytes) => bytes <= MAX_DISK_BYTES, "A disk holds at most 2040 GiB");

export const BOOT_DEVICES = ["disk", "cd", "network"] as const;

export const vmCreationInputSchema = z
  .object({
    /** A uuid the browser chose to follow the creation's progress (GET /api/vm-creations/<id>). */
    progressId: z
      .string()
      .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      .optional(),
    template: uuid("A template"),
    name: vmNameSchema,
    description: vmDescriptionSchema.optional().default(""),
    vcpus: countSchema("vCPUs", 1, 256),
    memory: sizeSchema("memory", "MiB", MIN_MEMORY).refine((bytes) => bytes <= 6 * TiB, "At most 6 TiB"),
    /** The SR for the template's own disks (they are copied there with VM.copy), or "" to clone them where they are. */
    templateDisksSr: optionalUuid("A storage repository"),
    /** New sizes for the template's own disks, by position (grow only). */
    templateDisks: z
      .array(z.object({ position: z.string().regex(/^\d{1,3}$/, "Not a disk position"), size: diskSize }))
      .max(16)
      .optional()
      .default([]),
    disks: z
      .array(
        z.object({
          size: diskSize,
          sr: uuid("A storage repository"),
          name: z.string().trim().max(NAME_MAX, `Use at most ${NAME_MAX} characters`).optional().default(""),
        }),
      )
      .max(MAX_NEW_DISKS, `At most ${MAX_NEW_DISKS} new disks`)
      .optional()
      .default([]),
    interfaces: z
      .array(z.object({ network: uuid("A network"), mac: macSchema.optional().default("") }))
      .max(MAX_INTERFACES, `At most ${MAX_INTERFACES} network interfaces`)
      .optional()
      .default([]),
    boot: z.enum(BOOT_DEVICES, { error: "Choose what the VM boots from" }).optional().default("disk"),
    /** The ISO in the CD drive ("" for an empty drive). */
    iso: optionalUuid("An ISO"),
    /** The host the VM prefers to start on ("" for none). */
    affinity: optionalUuid("A host"),
    start: formBoolean,
    /** Cloud-init templates only: the config drive's user data (with variables) and optional network configuration. */
    cloudInit: z
      .object({
        userData: z.string().max(CLOUD_INIT_TEXT_MAX, "The user data is too long (64 KiB at most)"),
        networkConfig: z.string().max(CLOUD_INIT_TEXT_MAX, "The network configuration is too long (64 KiB at most)").optional().default(""),
      })
      .optional(),
  })
  .refine((input) => input.boot !== "cd" || input.iso !== "", { message: "Choose the ISO to boot from", path: ["iso"] })
  .refine((input) => input.boot !== "network" || input.interfaces.length > 0, {
    message: "Add a network interface to boot from the network",
    path: ["interfaces"],
  });

export type VmCreationInput = z.input<typeof vmCreationInputSchema>;
export type ParsedVmCreationInput = z.output<typeof vmCreationInputSchema>;

/** A disk of a template's provision spec: `<disk device="0" size="10737418240" sr="" bootable="true" type="system"/>`. */
export interface ProvisionDisk {
  position: string;
  sizeBytes: number;
  bootable: boolean;
  type: string;
}

const attribute = (element: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];

/** The disks of `other_config:disks` (empty when there is none or it cannot be read). */
export function provisionDisks(spec: string | undefined): ProvisionDisk[] {
  if (!spec) return [];
  const disks: ProvisionDisk[] = [];
  for (const [element] of spec.matchAll(/<disk\s[^>]*>/g)) {
    const position = attribute(element, "device");
    const size = Number(attribute(element, "size"));
    if (position === undefined || !Number.isFinite(size) || size <= 0) continue;
    disks.push({ position, sizeBytes: size, bootable: attribute(element, "bootable") === "true", type: attribute(element, "type") ?? "user" });
  }
  return disks;
}

export interface TemplateLimits {
  vcpusMax: number;
  memoryMin: number;
  memoryMax: number;
  interfacesMax: number;
}

/** A template's limits: its `recommendations` restrictions, and its own static memory minimum. */
export function templateLimits(recommendations: string, memoryStaticMin: number): TemplateLimits {
  const restriction = (key: "field" | "property", name: string) => {
    const element = new RegExp(`<restriction\\s[^>]*${key}="${name}"[^>]*>`).exec(recommendations)?.[0];
    const max = element ? Number(attribute(element, "max")) : NaN;
    return Number.isFinite(max) && max > 0 ? max : undefined;
  };
  return {
    vcpusMax: Math.min(restriction("field", "vcpus-max") ?? 64, 256),
    memoryMin: Math.max(memoryStaticMin, MIN_MEMORY),
    memoryMax: Math.min(restriction("field", "memory-static-max") ?? 6 * TiB, 6 * TiB),
    interfacesMax: Math.min(restriction("property", "number-of-vifs") ?? MAX_INTERFACES, MAX_INTERFACES),
  };
}
