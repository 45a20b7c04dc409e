"use server";
/** Server actions of the SR page (declared in lib/storage/actions.ts). */
import { scanSr } from "@/lib/storage/actions";

/** Rescans an SR: `{ sr }` (its uuid). */
export const scanSrAction = scanSr;
