/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay external to the server bundle.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "xmlrpc"],
  poweredByHeader: false,
  // The end-to-end tests and the page benchmark serve a private copy of the build (lib/demo/build.ts).
  distDir: process.env.XENDECK_DIST_DIR || ".next",
  // Readable function names in server CPU profiles (lib/bench/pages.ts --profile); never for real builds.
  ...(process.env.XENDECK_PROFILE_BUILD === "1" ? { experimental: { turbopackMinify: { server: false } } } : {}),
};

export default nextConfig;
