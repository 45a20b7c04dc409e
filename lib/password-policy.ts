/**
 * The password policy, shared by the server and the forms (no Node APIs here, so client components may import
 * it to validate as the user types).
 */
import { z } from "zod";

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** A new password: long enough to resist guessing, short enough to bound the hashing work. */
export const passwordPolicy = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters long`)
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters long`)
  .refine((value) => value.trim().length > 0, "Password must not be only spaces")
  .refine((value) => new Set(value).size >= 4, "Password must use at least 4 different characters");
