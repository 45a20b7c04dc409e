/**
 * The texts of a cloud-init config drive: the user data the admin writes in the New VM form, with a few
 * variables filled in once the VM exists, and the meta-data NoCloud needs (an instance id, so that cloud-init
 * runs once per VM, and the host name). Pure; shared by the form (the default text, the variables' help) and the
 * creation.
 */

/** The variables user data may hold, and what each becomes. */
export const CLOUD_INIT_VARIABLES = [
  { name: "{name}", meaning: "the VM's name" },
  { name: "{hostname}", meaning: "the VM's name as a host name (letters, digits and hyphens)" },
  { name: "{uuid}", meaning: "the new VM's uuid" },
] as const;

export const DEFAULT_USER_DATA = "#cloud-config\nhostname: {hostname}\nmanage_etc_hosts: true\n";

/** Longest user data or network configuration accepted (the drive holds 4 MiB; real configurations are small). */
export const CLOUD_INIT_TEXT_MAX = 64 * 1024;

/** The VM's name as a host name: lower case letters, digits and hyphens, at most 63, never empty. */
export function hostnameFrom(name: string): string {
  const host = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return host || "vm";
}

/** `text` with its variables replaced (unknown braces stay as they are: YAML and Jinja use them too). */
export function fillCloudInitVariables(text: string, vm: { name: string; uuid: string }): string {
  const values: Record<string, string> = { "{name}": vm.name, "{hostname}": hostnameFrom(vm.name), "{uuid}": vm.uuid };
  return text.replace(/\{(name|hostname|uuid)\}/g, (variable) => values[variable]!);
}

/** NoCloud's meta-data: the instance id (the VM's uuid: a clone gets a new one, so cloud-init runs again there). */
export function cloudInitMetaData(vm: { name: string; uuid: string }): string {
  return `instance-id: ${vm.uuid}\nlocal-hostname: ${hostnameFrom(vm.name)}\n`;
}
