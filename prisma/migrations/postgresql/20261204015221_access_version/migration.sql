-- CreateTable
CREATE TABLE "AccessVersion" (
    "id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "AccessVersion_pkey" PRIMARY KEY ("id")
);
