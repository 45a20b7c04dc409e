/**
 * Page titles of the administration pages, computed only for global admins: for anyone else the page is a 404,
 * and its title must not say what it would have been.
 */
import "server-only";
import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/current-user";

export function adminMetadata(title: string): () => Promise<Metadata> {
  return async () => {
    await requireAdmin();
    return { title };
  };
}
