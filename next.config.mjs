/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay external to the server bundle.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "ws", "js-fatfs"],
  poweredByHeader: false,
  // Gzip in Node only when asked (XENDECK_COMPRESS=1, validated in lib/config.ts): the server's one JavaScript
  // thread is what every page view waits for, and gzip took 1-2 ms of the 5-13 ms a VM list request costs it
  // (npm run bench:pages -- --compress). Production sits behind a TLS proxy, which compresses on its own cores.
  compress: process.env.XENDECK_COMPRESS?.trim() === "1",
  // The end-to-end tests and the page benchmark serve a private copy of the build (lib/dev/demo/next-server.ts).
  distDir: process.env.XENDECK_DIST_DIR || ".next",
  // Readable function names in server CPU profiles (lib/dev/bench/pages.ts --profile); never for real builds.
  ...(process.env.XENDECK_PROFILE_BUILD === "1" ? { experimental: { turbopackMinify: { server: false } } } : {}),
};

export default nextConfig;
