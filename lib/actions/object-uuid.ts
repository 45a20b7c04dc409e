/**
 * How an action's input names a pool object: by its uuid, as the browser sends it. Only a uuid's characters pass;
 * the server then finds the object itself (and whether the user may see it). Pure: the forms' client code shares
 * the schemas built on it.
 */
import { z } from "zod";

/** A uuid naming `what` ("A VM", "An SR"), which the error messages start with. */
export const objectUuidSchema = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`)
    .max(100, "Not a uuid")
    .regex(/^[0-9A-Za-z-]+$/, "Not a uuid");
