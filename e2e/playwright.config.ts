/**
 * End-to-end tests: Debian's Chromium against the production build of XenDeck, served on a free port with a
 * fresh SQLite database, talking to an in-process XAPI simulator (e2e/support/global-setup.ts).
 *
 *   npm run test:e2e                      build, then run every spec
 *   XENDECK_SKIP_BUILD=1 npm run test:e2e reuse the current build (quick iterations)
 *   npm run test:e2e -- vm-lifecycle      one spec
 */
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: ".",
  testMatch: "**/*.spec.ts",
  outputDir: "../test-results",
  globalSetup: "./support/global-setup.ts",
  // Two cores on the test machines: the server, the simulator and two browsers share them.
  workers: 2,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { outputFolder: "../playwright-report", open: "never" }]],
  use: {
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.XENDECK_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
  },
});
