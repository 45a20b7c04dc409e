/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and server-only packages stay external to the server bundle.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "pg", "xmlrpc"],
  poweredByHeader: false,
};

export default nextConfig;
