import { describe, expect, it } from "vitest";
import { cloudInitMetaData, DEFAULT_USER_DATA, fillCloudInitVariables, hostnameFrom } from "./cloud-init";
import { buildConfigDrive, CONFIG_DRIVE_BYTES, configDriveLabel, readConfigDrive } from "./config-drive";

describe("the config drive", () => {
  it("is a FAT image labelled CIDATA with the NoCloud files at its root", async () => {
    const files = { metaData: "instance-id: abc\n", userData: "#cloud-config\nhostname: web\n", networkConfig: "version: 2\n" };
    const image = await buildConfigDrive(files);
    expect(image.length).toBe(CONFIG_DRIVE_BYTES);
    expect(configDriveLabel(image)).toBe("CIDATA");
    // A FAT12/16 boot sector whose extended signature makes its label count.
    expect(image.readUInt16LE(510)).toBe(0xaa55);
    expect(image[38]).toBe(0x29);
    expect(image.toString("ascii", 54, 62).trim()).toMatch(/^FAT/);
    expect(await readConfigDrive(image)).toEqual({ "meta-data": files.metaData, "user-data": files.userData, "network-config": files.networkConfig });
  });

  it("leaves network-config out when there is none, and keeps non-ASCII text", async () => {
    const image = await buildConfigDrive({ metaData: "instance-id: x\n", userData: "#cloud-config\nbootcmd: [echo héllo]\n" });
    expect(Object.keys(await readConfigDrive(image)).sort()).toEqual(["meta-data", "user-data"]);
    expect((await readConfigDrive(image))["user-data"]).toContain("héllo");
  });
});

describe("cloud-init texts", () => {
  it("fill the variables and leave other braces", () => {
    const vm = { name: "Web Server 01", uuid: "1234" };
    expect(fillCloudInitVariables("{name} {hostname} {uuid} {other} {{ jinja }}", vm)).toBe("Web Server 01 web-server-01 1234 {other} {{ jinja }}");
    expect(fillCloudInitVariables(DEFAULT_USER_DATA, vm)).toContain("hostname: web-server-01");
    expect(cloudInitMetaData(vm)).toBe("instance-id: 1234\nlocal-hostname: web-server-01\n");
  });

  it("make host names of any VM name", () => {
    expect(hostnameFrom("--Élan_DB (prod)--")).toBe("elan-db-prod");
    expect(hostnameFrom("***")).toBe("vm");
    expect(hostnameFrom("a".repeat(80))).toHaveLength(63);
  });
});
