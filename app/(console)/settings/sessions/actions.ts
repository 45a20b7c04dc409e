"use server";
/** Ending one of one's own sessions (declared in lib/account/actions.ts). */
import { endSessionAction as endSession } from "@/lib/account/actions";

export const endSessionAction = endSession;
