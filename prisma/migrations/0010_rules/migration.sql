-- CreateEnum
CREATE TYPE "RuleMode" AS ENUM ('ACTIVE', 'SHADOW', 'OFF');

-- CreateEnum
CREATE TYPE "ListKind" AS ENUM ('ALLOW', 'DENY');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "alertBudgetPerDay" INTEGER NOT NULL DEFAULT 200;

-- AlterTable
ALTER TABLE "Anomaly" ADD COLUMN     "ruleSetVersion" INTEGER;

-- CreateTable
CREATE TABLE "Rule" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "expression" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "mode" "RuleMode" NOT NULL DEFAULT 'ACTIVE',
    "severityFloor" "Severity",
    "scoreBoost" DOUBLE PRECISION,
    "updatedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RuleSetVersion" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "rules" JSONB NOT NULL,
    "comment" TEXT NOT NULL,
    "publishedById" TEXT NOT NULL,
    "restoredFrom" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RuleSetVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RuleList" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ListKind" NOT NULL,
    "field" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RuleList_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RuleListEntry" (
    "id" TEXT NOT NULL,
    "listId" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "addedById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RuleListEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RuleHit" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "transactionId" TEXT NOT NULL,
    "ruleName" TEXT NOT NULL,
    "mode" "RuleMode" NOT NULL,
    "ruleSetVersion" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RuleHit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SuppressedAlert" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "transactionId" TEXT NOT NULL,
    "listName" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "severity" "Severity" NOT NULL,
    "ruleViolations" TEXT[],
    "ruleSetVersion" INTEGER NOT NULL,
    "modelVersion" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SuppressedAlert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RuleBacktest" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "rules" JSONB NOT NULL,
    "days" INTEGER NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'QUEUED',
    "processed" INTEGER NOT NULL DEFAULT 0,
    "total" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "failureReason" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "RuleBacktest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Rule_orgId_name_key" ON "Rule"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "RuleSetVersion_orgId_version_key" ON "RuleSetVersion"("orgId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "RuleList_orgId_name_key" ON "RuleList"("orgId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "RuleListEntry_listId_value_key" ON "RuleListEntry"("listId", "value");

-- CreateIndex
CREATE INDEX "RuleHit_orgId_createdAt_idx" ON "RuleHit"("orgId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SuppressedAlert_transactionId_key" ON "SuppressedAlert"("transactionId");

-- CreateIndex
CREATE INDEX "SuppressedAlert_orgId_createdAt_idx" ON "SuppressedAlert"("orgId", "createdAt");

-- CreateIndex
CREATE INDEX "RuleBacktest_orgId_createdAt_idx" ON "RuleBacktest"("orgId", "createdAt");

-- AddForeignKey
ALTER TABLE "Rule" ADD CONSTRAINT "Rule_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuleSetVersion" ADD CONSTRAINT "RuleSetVersion_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuleList" ADD CONSTRAINT "RuleList_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuleListEntry" ADD CONSTRAINT "RuleListEntry_listId_fkey" FOREIGN KEY ("listId") REFERENCES "RuleList"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuleHit" ADD CONSTRAINT "RuleHit_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SuppressedAlert" ADD CONSTRAINT "SuppressedAlert_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuleBacktest" ADD CONSTRAINT "RuleBacktest_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

