/**
 * What a simulated domain prints on its console and how it answers keystrokes: a guest VM shows its firmware and
 * kernel boot log, then a login prompt with its name; a control domain shows the host's login prompt. Typed
 * characters are echoed (not the password), Enter answers: a user name leads to the password prompt, then a
 * shell that knows a few commands. The output is vt100 text (colours as escape sequences) that a text screen
 * renders for RFB and a vt100 console passes on as it is.
 */
import type { Timers } from "./timers";

export interface GuestIdentity {
  /** Host name shown in prompts (from the VM's name label). */
  hostname: string;
  /** Operating system name, e.g. "Debian GNU/Linux 12 (bookworm)". */
  osName: string;
  uuid: string;
  kind: "vm" | "host";
}

type GuestState = "booting" | "login" | "password" | "shell";

/** How much of the output is kept for consoles that attach later (vt100 replays its end). */
const TRANSCRIPT_MAX = 8 * 1024;
const INPUT_LINE_MAX = 256;
const OK = "[  \x1b[32mOK\x1b[0m  ]";

/** A host name as a guest would set it from the VM's name label. */
export function guestHostname(nameLabel: string): string {
  const cleaned = nameLabel
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return cleaned || "localhost";
}

function bootLog(identity: GuestIdentity): string[] {
  if (identity.kind === "host") return [];
  return [
    "SeaBIOS (version rel-1.16.3-xen)",
    `Machine UUID ${identity.uuid}`,
    "Booting from Hard Disk...",
    "[    0.000000] Linux version 6.1.0-28-amd64 (gcc-12 (Debian 12.2.0-14) 12.2.0)",
    "[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 root=/dev/xvda1 ro quiet",
    "[    0.004000] DMI: Xen HVM domU, BIOS 4.17 11/28/2024",
    "[    0.012000] Hypervisor detected: Xen HVM",
    "[    0.524113] xen_netfront: Initialising Xen virtual ethernet driver",
    "[    0.611870] blkfront: xvda: flush diskcache: enabled; persistent grants: enabled",
    "[    1.203344] EXT4-fs (xvda1): mounted filesystem with ordered data mode",
    "",
    `Welcome to \x1b[1m${identity.osName}\x1b[0m!`,
    "",
    `${OK} Started systemd-journald.service - Journal Service.`,
    `${OK} Reached target local-fs.target - Local File Systems.`,
    `${OK} Started xe-linux-distribution.service - Xen guest agent.`,
    `${OK} Reached target network-online.target - Network is Online.`,
    `${OK} Started ssh.service - OpenBSD Secure Shell server.`,
    `${OK} Reached target multi-user.target - Multi-User System.`,
  ];
}

export interface GuestOptions {
  /** How long the boot log takes to scroll by (0: shown at once). */
  bootMs: number;
  timers: Timers;
  /** Every character typed (as received: Enter is "\r"). */
  onInput?: (text: string) => void;
}

export class SimGuest {
  private state: GuestState = "booting";
  private line = "";
  private user = "";
  private transcript = "";
  private readonly outputs = new Set<(text: string) => void>();
  private bootTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly identity: GuestIdentity,
    private readonly options: GuestOptions,
  ) {
    const lines = bootLog(identity);
    if (lines.length === 0 || options.bootMs <= 0) {
      for (const line of lines) this.print(`${line}\n`);
      this.loginPrompt();
      return;
    }
    const step = options.bootMs / lines.length;
    let next = 0;
    const tick = () => {
      if (this.stopped) return;
      this.print(`${lines[next++]}\n`);
      if (next < lines.length) this.bootTimer = options.timers.setTimeout(tick, step);
      else this.loginPrompt();
    };
    this.bootTimer = options.timers.setTimeout(tick, step);
  }

  /** Receives everything printed from now on. */
  attach(output: (text: string) => void): () => void {
    this.outputs.add(output);
    return () => this.outputs.delete(output);
  }

  /** The end of what was printed so far (what a console attaching now would find on the screen). */
  recentOutput(): string {
    return this.transcript;
  }

  /** Keystrokes, as characters ("\r" for Enter, "\b" or DEL for backspace). */
  type(text: string): void {
    if (this.stopped) return;
    this.options.onInput?.(text);
    for (const char of text) this.key(char);
  }

  /** The three-finger salute: a guest at its login prompt just shows a fresh prompt. */
  ctrlAltDel(): void {
    if (this.stopped || this.state === "booting") return;
    this.line = "";
    this.print("\n");
    this.loginPrompt();
  }

  stop(): void {
    this.stopped = true;
    this.options.timers.clear(this.bootTimer);
    this.outputs.clear();
  }

  // -------------------------------------------------------------------------------------------------------

  private print(text: string): void {
    this.transcript = (this.transcript + text).slice(-TRANSCRIPT_MAX);
    for (const output of this.outputs) output(text);
  }

  private prompt(): string {
    const { hostname } = this.identity;
    return this.user === "root" ? `[root@${hostname} ~]# ` : `[${this.user}@${hostname} ~]$ `;
  }

  private loginPrompt(): void {
    this.state = "login";
    this.user = "";
    const { hostname, osName, kind } = this.identity;
    const banner = kind === "host" ? `${osName} (${hostname}) hvc0` : `${osName} ${hostname} tty1`;
    this.print(`\n${banner}\n\n${hostname} login: `);
  }

  private key(char: string): void {
    if (this.state === "booting") return;
    if (char === "\r" || char === "\n") return this.enter();
    if (char === "\b" || char === "\x7f") {
      if (this.line.length === 0) return;
      this.line = this.line.slice(0, -1);
      if (this.state !== "password") this.print("\b \b");
      return;
    }
    if (char === "\x03") {
      this.line = "";
      this.print("^C\n");
      return this.state === "shell" ? this.print(this.prompt()) : this.loginPrompt();
    }
    if (char < " " || this.line.length >= INPUT_LINE_MAX) return;
    this.line += char;
    if (this.state !== "password") this.print(char);
  }

  private enter(): void {
    const line = this.line;
    this.line = "";
    this.print("\n");
    switch (this.state) {
      case "login":
        if (line.trim() === "") return this.print(`${this.identity.hostname} login: `);
        this.user = line.trim();
        this.state = "password";
        return this.print("Password: ");
      case "password":
        this.state = "shell";
        this.print(`Last login: ${new Date().toUTCString()} on tty1\n`);
        return this.print(this.prompt());
      case "shell":
        return this.runCommand(line.trim());
    }
  }

  private runCommand(command: string): void {
    const [name = "", ...args] = command.split(/\s+/);
    const { hostname, osName } = this.identity;
    switch (name) {
      case "":
        break;
      case "exit":
      case "logout":
        return this.loginPrompt();
      case "hostname":
        this.print(`${hostname}\n`);
        break;
      case "whoami":
        this.print(`${this.user}\n`);
        break;
      case "uname":
        this.print(args.includes("-a") ? `Linux ${hostname} 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64 GNU/Linux\n` : "Linux\n");
        break;
      case "date":
        this.print(`${new Date().toUTCString()}\n`);
        break;
      case "echo":
        this.print(`${args.join(" ")}\n`);
        break;
      case "cat":
        this.print(args[0] === "/etc/os-release" ? `PRETTY_NAME="${osName}"\n` : `cat: ${args[0] ?? ""}: No such file or directory\n`);
        break;
      case "clear":
        this.print("\x1b[2J\x1b[H");
        break;
      default:
        this.print(`-bash: ${name}: command not found\n`);
    }
    this.print(this.prompt());
  }
}
