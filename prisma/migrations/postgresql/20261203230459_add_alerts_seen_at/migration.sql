-- AlterTable
ALTER TABLE "User" ADD COLUMN     "alertsSeenAt" TIMESTAMP(3);
