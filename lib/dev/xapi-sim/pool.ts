/**
 * One simulated pool: its own database (refs of one pool mean nothing to another, as with real pools), its
 * hosts and their addresses, who the master is, and its sessions, tasks and events.
 */
import type { HostRecord, PoolRecord } from "@/lib/xapi/model/records.generated";
import type { SimCore } from "./core";
import { XapiError } from "./errors";
import { EventHub } from "./events";
import { SessionService } from "./sessions";
import { PoolStore, type StoredObject } from "./store";
import { TaskService } from "./tasks";

export class SimPool {
  readonly store = new PoolStore();
  readonly sessions: SessionService;
  readonly tasks: TaskService;
  readonly events: EventHub;
  poolRef = "";
  /** Host refs in address order (host 1 first). */
  hostRefs: string[] = [];
  /** Last domain id given on each host (dom0 is 0). */
  private readonly domids = new Map<string, number>();

  constructor(
    readonly core: SimCore,
    /** 0-based. */
    readonly index: number,
    readonly name: string,
  ) {
    this.sessions = new SessionService(this);
    this.tasks = new TaskService(this);
    this.events = new EventHub(this);
  }

  get pool(): StoredObject<PoolRecord> {
    return this.need<PoolRecord>("pool", this.poolRef);
  }

  get masterRef(): string {
    return this.poolRef ? this.pool.rec.master : "";
  }

  host(ref: string): StoredObject<HostRecord> {
    return this.need<HostRecord>("host", ref);
  }

  hosts(): StoredObject<HostRecord>[] {
    return this.hostRefs.map((ref) => this.host(ref));
  }

  masterAddress(): string {
    return this.host(this.masterRef).rec.address;
  }

  /** A fresh domain id on `hostRef`. */
  nextDomid(hostRef: string): number {
    const id = (this.domids.get(hostRef) ?? 0) + 1;
    this.domids.set(hostRef, id);
    return id;
  }

  /** The live object or `HANDLE_INVALID [class, ref]`. */
  need<R = Record<string, unknown>>(cls: string, ref: string): StoredObject<R> {
    const obj = this.store.getOf<R>(cls, ref);
    if (!obj) throw new XapiError("HANDLE_INVALID", [cls, ref]);
    return obj;
  }

  /** Finds a host by ref, uuid, name or address (for the control API and the CLI). */
  findHost(key: string): StoredObject<HostRecord> | undefined {
    return this.hosts().find((h) => h.ref === key || h.uuid === key || h.rec.address === key || h.rec.name_label === key);
  }
}
