import { startSimulator } from "./index";
import { Xapi } from "xen-api";
const sim = await startSimulator({ pools: 1, hostsPerPool: 2, vmsPerPool: 6, speed: 0.02, log: console.log });
for (const transport of ["xml-rpc", "json-rpc"]) {
  const xapi: any = new Xapi({ url: sim.pools[0].hosts[1].url, auth: { user: sim.username, password: sim.password }, transport, watchEvents: true });
  await xapi.connect();
  await xapi.objectsFetched;
  const vms = Object.values(xapi.objects.all).filter((o: any) => o.$type === "VM" && !o.is_a_template && !o.is_control_domain) as any[];
  console.log(transport, "objects", Object.keys(xapi.objects.all).length, "vms", vms.length, xapi._url.hostname);
  const running = vms.find(v => v.power_state === "Running");
  await xapi.callAsync("VM.clean_shutdown", running.$ref);
  await new Promise(r => setTimeout(r, 400));
  console.log("after shutdown", xapi.getObject(running.$ref).power_state);
  await xapi.callAsync("VM.start", running.$ref, false, false);
  await new Promise(r => setTimeout(r, 400));
  console.log("after start", xapi.getObject(running.$ref).power_state);
  const snap = await xapi.callAsync("VM.snapshot", running.$ref, "snap-test");
  console.log("snap", snap);
  await new Promise(r => setTimeout(r, 400));
  console.log("snap in cache", xapi.getObject(snap).name_label, xapi.getObject(running.$ref).snapshots);
  await xapi.disconnect();
}
await sim.stop();
