-- AlterTable
ALTER TABLE "User" ADD COLUMN "alertsSeenAt" DATETIME;
