import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("../..", import.meta.url));

export default defineConfig({
  root,
  resolve: { alias: { "@": root, "server-only": fileURLToPath(new URL("./test/server-only-stub.ts", import.meta.url)) } },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    // The Prisma schema engine (lib/db/schema-engine.ts) is an ESM-integrated WebAssembly module.
    execArgv: ["--experimental-wasm-modules", "--disable-warning=ExperimentalWarning"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
