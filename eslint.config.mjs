// ESLint: Next.js's own rules (core web vitals, React, hooks, a11y, imports) and typescript-eslint's recommended set.
// Formatting is Prettier's job (`npm run format:check`), not ESLint's.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next*/**", "data/**", "test-results/**", "playwright-report/**", "e2e/.run/**", "lib/db/generated/**", "next-env.d.ts"]),
  {
    // Playwright's fixtures receive a function named `use`, which is not React's.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    rules: {
      // `_name` marks a parameter or binding kept for its position (a server action's previous state...).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
]);
