"use server";
/** Server actions of the alerts pane and of the alerts shown on object pages (declared in lib/alerts/actions.ts). */
import { dismissAlert, dismissAlerts, markAlertsSeen } from "@/lib/alerts/actions";

/** Dismisses one alert: `{ alert }` (its uuid). */
export const dismissAlertAction = dismissAlert;

/** Dismisses several alerts, each authorized and audited on its own: `{ alerts }`. */
export const dismissAlertsAction = dismissAlerts;

/** The user has seen the alerts up to `{ upTo }` (the newest shown): the navigation's badge counts newer ones. */
export const markAlertsSeenAction = markAlertsSeen;
