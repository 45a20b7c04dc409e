/**
 * `npm run sim -- [options]`: serves simulated pools until Ctrl-C. Prints every pool's master URL, its
 * members, the credentials and the control API URL.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startSimulator } from "./index";

const USAGE = `Usage: npm run sim -- [options]

  --pools N            pools (default 2)
  --hosts N            hosts per pool (default 3)
  --vms N              ordinary VMs per pool (default 30)
  --seed S             data set seed (default 1)
  --port N             port shared by every host (default 0: a free port)
  --address A.B.C.D    address of pool 1 host 1 (default 127.0.1.1)
  --user NAME          login (default root)
  --password SECRET    password (default xendeck-sim)
  --speed F            multiplies operation durations (default 1)
  --control-port N     port of the control API on 127.0.0.1 (default 0)
  --no-activity        no background changes
  --activity-ms N      mean delay between background changes (default 4000)
  --no-warm-up         do not build the XML wire fragments in the background at start
  --tls-key FILE       serve HTTPS with this key...
  --tls-cert FILE      ...and this certificate
  --help`;

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pools: { type: "string" },
      hosts: { type: "string" },
      vms: { type: "string" },
      seed: { type: "string" },
      port: { type: "string" },
      address: { type: "string" },
      user: { type: "string" },
      password: { type: "string" },
      speed: { type: "string" },
      "control-port": { type: "string" },
      "no-activity": { type: "boolean" },
      "no-warm-up": { type: "boolean" },
      "activity-ms": { type: "string" },
      "tls-key": { type: "string" },
      "tls-cert": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (Boolean(values["tls-key"]) !== Boolean(values["tls-cert"])) throw new Error("--tls-key and --tls-cert go together");
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!(speed >= 0)) throw new Error("--speed must be a number >= 0");
  const seed = values.seed === undefined ? 1 : /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
  const sim = await startSimulator({
    pools: int(values.pools, "pools", 2),
    hostsPerPool: int(values.hosts, "hosts", 3),
    vmsPerPool: int(values.vms, "vms", 30),
    seed,
    port: int(values.port, "port", 0),
    baseAddress: values.address,
    username: values.user,
    password: values.password,
    speed,
    controlPort: int(values["control-port"], "control-port", 0),
    activity: values["no-activity"] ? false : { intervalMs: int(values["activity-ms"], "activity-ms", 4000) },
    tls: values["tls-key"] ? { key: readFileSync(values["tls-key"]), cert: readFileSync(values["tls-cert"]!) } : undefined,
    log: (line) => console.error(line),
  });
  console.log(`XAPI simulator (seed ${seed})`);
  for (const pool of sim.pools) {
    console.log(`  pool "${pool.name}"  master ${pool.masterUrl}`);
    for (const host of pool.hosts) if (host.url !== pool.masterUrl) console.log(`      member ${host.url}  (${host.name})`);
  }
  console.log(`  credentials  ${sim.username} / ${sim.password}`);
  console.log(`  control API  ${sim.controlUrl}`);
  console.log("Ctrl-C to stop.");
  if (!values["no-warm-up"]) void sim.warmUp();
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sim.stop();
    console.log("stopped");
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(`sim: ${(error as Error).message}`);
  process.exit(1);
});
