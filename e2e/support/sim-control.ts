/**
 * The simulator's control API (lib/dev/xapi-sim/control.ts) for tests: outside changes, faults and inspection of
 * what the pools really hold, over HTTP (the simulator runs in the test runner's process).
 */
export interface SimVmView {
  pool: number;
  ref: string;
  record: { uuid: string; name_label: string; power_state: string; resident_on: string; [field: string]: unknown };
}

export class SimControl {
  constructor(private readonly url: string) {}

  private async call<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`simulator ${method} ${path}: ${answer.error ?? response.status}`);
    return answer;
  }

  /** A VM as the pool holds it now (by uuid: names repeat across pools). */
  vm(uuid: string): Promise<SimVmView> {
    return this.call("GET", `/inspect/vm/${encodeURIComponent(uuid)}`);
  }

  /** What was typed into a VM's consoles (Enter is "\r") and what its console shows now (by uuid). */
  console(
    uuid: string,
  ): Promise<{ typed: string; ctrlAltDel: number; screen: { width: number; height: number; lines: string[]; connections: number } | null }> {
    return this.call("GET", `/inspect/console/${encodeURIComponent(uuid)}`);
  }

  /** Changes a VM as an admin on the host would (no XenDeck involved). */
  changeVm(uuid: string, change: { power_state?: string; host?: string; fields?: Record<string, unknown> }): Promise<SimVmView> {
    return this.call("POST", "/outside/vm", { vm: uuid, ...change });
  }

  /** `refuse`: connections refused; `hang`: never answered; `up`: normal. `host` by name, uuid or address. */
  setHostState(host: string, state: "up" | "refuse" | "hang"): Promise<unknown> {
    return this.call("POST", "/faults/host", { host, state });
  }

  /**
   * The next `count` calls of `method` (e.g. `Async.VM.start`) on `object` (a uuid or ref: specs run side by side,
   * so a fault must not hit another spec's call) fail with `error` = [code, ...params].
   */
  failNext(method: string, object: string, error: string[], count = 1): Promise<unknown> {
    return this.call("POST", "/faults/fail", { method, object, error, count });
  }

  /** Any object (`task`, `SR`, `message`, `host`...) by ref, uuid or name, in whichever pool holds it. */
  object<R = Record<string, unknown>>(cls: string, key: string): Promise<{ pool: number; ref: string; record: R }> {
    return this.call("GET", `/inspect/object/${cls}/${encodeURIComponent(key)}`);
  }

  /** A host as the pool holds it, and whether it is live. */
  host(
    key: string,
  ): Promise<{ ref: string; record: { uuid: string; enabled: boolean; resident_VMs: string[]; other_config: Record<string, string> }; live: boolean }> {
    return this.call("GET", `/inspect/host/${encodeURIComponent(key)}`);
  }

  /** Raises an alert (a XAPI message) about an object of `pool`; returns its ref. */
  async alert(pool: string, alert: { name: string; priority?: number; cls?: string; obj_uuid?: string; body?: string }): Promise<string> {
    return (await this.call<{ ref: string }>("POST", "/outside/alert", { pool, ...alert })).ref;
  }

  /**
   * From now on `operation` (`copy`, `sr_scan`, `host_boot`...) takes `ms`, for every spec running: set it back to
   * its usual length (the base duration times the run's speed) as soon as the test has what it needs.
   */
  duration(operation: string, ms: number): Promise<unknown> {
    return this.call("POST", "/faults/duration", { operation, ms });
  }
}
