"use server";
/** Server actions of the tasks page (declared in lib/tasks/actions.ts). */
import { cancelTask } from "@/lib/tasks/actions";

/** Cancels a running task: `{ task }` (its uuid). */
export const cancelTaskAction = cancelTask;
