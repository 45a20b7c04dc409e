/**
 * The house's layers, enforced: every import points down. Rooms (folders of lib/) are ranked; a module may
 * import modules of its own rank or below, never above. `import type` is free (types leave no runtime edge).
 *
 *   routes (app/) → process entry (lib/server) → features → pools and VMs → action pipeline → access/audit/auth
 *   → XAPI client → database and configuration
 *
 * Two rooms stand apart: the design system (lib/ui) is client-safe and imports nothing but itself, plain data
 * (lib/result, lib/routes) and the pure cache mechanism (lib/memo); the tooling (lib/dev: simulator, benches, demo, test support) may import anything, and nothing
 * but tests and tooling imports it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Rank of each room; a file's room is its first folder under lib/ (or the file itself for lib/*.ts). */
const RANKS: Record<string, number> = {
  "lib/config.ts": 0,
  "lib/result.ts": 0,
  "lib/routes.ts": 0,
  "lib/password-policy.ts": 0,
  "lib/memo.ts": 0,
  "lib/upgrade-routes.ts": 0,
  "lib/db": 0,
  "lib/xapi": 1,
  "lib/audit": 2,
  "lib/auth": 2,
  "lib/access": 2,
  "lib/actions": 3,
  "lib/pools": 4,
  "lib/vm": 5,
  "lib/live": 5,
  "lib/inventory": 6,
  "lib/admin": 6,
  "lib/account": 6,
  "lib/consoles": 6,
  "lib/stats": 6,
  "lib/alerts": 6,
  "lib/tasks": 6,
  "lib/hosts": 6,
  "lib/storage": 6,
  "lib/server": 7,
  app: 8,
  "proxy.ts": 8,
  "instrumentation.ts": 8,
};
const UI = "lib/ui";
const DEV = "lib/dev";
const UI_MAY_IMPORT = new Set([UI, "lib/result.ts", "lib/routes.ts", "lib/memo.ts"]);

/** The room of a file, or of an import target (`lib/xapi` is the folder's index, `lib/config` the file). */
function roomOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] !== "lib") return parts[0]!;
  if (parts.length > 2) return `lib/${parts[1]}`;
  const target = path.join(ROOT, file.replace(/\.tsx?$/, ""));
  return existsSync(target) && statSync(target).isDirectory() ? file.replace(/\.tsx?$/, "") : `${file.replace(/\.tsx?$/, "")}.ts`;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!["generated", "node_modules"].includes(entry.name)) out.push(...sourceFiles(relative));
    } else if (/\.(ts|tsx)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) out.push(relative);
  }
  return out;
}

/** The repository files a module imports at run time (`@/...` and relative specifiers, `import type` left out). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const targets: string[] = [];
  const pattern = /^\s*(?:import|export)\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[1] ?? match[2]!;
    if (specifier.startsWith("@/")) targets.push(specifier.slice(2));
    else if (specifier.startsWith(".")) targets.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
  }
  return targets;
}

function violations(): string[] {
  const files = [...sourceFiles("lib"), ...sourceFiles("app"), "proxy.ts", "instrumentation.ts"];
  const found: string[] = [];
  for (const file of files) {
    const from = roomOf(file);
    for (const target of runtimeImports(file)) {
      const to = roomOf(target);
      if (from === to) continue;
      if (from === DEV) continue;
      if (to === DEV) found.push(`${file} imports the tooling: ${target}`);
      else if (from === UI) {
        if (!UI_MAY_IMPORT.has(to)) found.push(`${file} (client-safe design system) imports ${target}`);
      } else if (to === UI) continue;
      else if (RANKS[from] === undefined || RANKS[to] === undefined) found.push(`${file} → ${target}: room without a rank (add it to RANKS)`);
      else if (RANKS[to]! > RANKS[from]!) found.push(`${file} (${from}) imports ${target} (${to}), a layer above`);
    }
  }
  return found;
}

describe("the layers", () => {
  it("every runtime import points down (or sideways within a layer)", () => {
    expect(violations()).toEqual([]);
  });

  it("the check sees an upward import (it is not vacuous)", () => {
    expect(runtimeImports("lib/vm/lifecycle-actions.ts")).toContain("lib/actions/define");
    expect(roomOf("lib/actions/define.ts")).toBe("lib/actions");
    expect(RANKS[roomOf("lib/db/client.ts")]).toBeLessThan(RANKS[roomOf("lib/actions/define.ts")]!);
  });
});
