"use client";

/** Errors of the network page: the console's error boundary (explains, keeps the shell, offers a retry). */
export { default } from "@/app/(console)/error";
