/** Usernames: lower-case, so that "Alice" and "alice" are one account on SQLite and PostgreSQL alike. */
import { z } from "zod";

/** The form a username is stored and compared in. */
export function normaliseUsername(typed: string): string {
  return typed.normalize("NFC").trim().toLowerCase();
}

/** A new username: 1–64 characters, letters, digits and . _ - (starting with a letter or digit). */
export const usernameSchema = z
  .string()
  .transform(normaliseUsername)
  .pipe(
    z
      .string()
      .min(1, "Username is required")
      .max(64, "Username must be at most 64 characters long")
      .regex(/^[a-z0-9][a-z0-9._-]*$/, "Username may contain only letters, digits, dots, dashes and underscores, and must start with a letter or digit"),
  );
