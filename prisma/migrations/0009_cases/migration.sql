-- CreateEnum
CREATE TYPE "CaseStatus" AS ENUM ('OPEN', 'IN_REVIEW', 'ESCALATED', 'CLOSED_FRAUD', 'CLOSED_LEGITIMATE');

-- CreateEnum
CREATE TYPE "CaseEntityType" AS ENUM ('ACCOUNT', 'MERCHANT');

-- AlterEnum
ALTER TYPE "ReportType" ADD VALUE 'CASES';

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "caseRoundRobin" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Membership" ADD COLUMN     "lastAssignedAt" TIMESTAMP(3),
ADD COLUMN     "onDuty" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Anomaly" ADD COLUMN     "caseId" TEXT;

-- CreateTable
CREATE TABLE "Case" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "entityType" "CaseEntityType" NOT NULL,
    "entityId" TEXT NOT NULL,
    "status" "CaseStatus" NOT NULL DEFAULT 'OPEN',
    "priority" "Severity" NOT NULL,
    "assigneeId" TEXT,
    "dueAt" TIMESTAMP(3),
    "breachNotifiedAt" TIMESTAMP(3),
    "mergedIntoId" TEXT,
    "openedById" TEXT,
    "closedAt" TIMESTAMP(3),
    "closedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CaseEvent" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "data" JSONB,
    "mutationId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CaseEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CaseSla" (
    "orgId" TEXT NOT NULL,
    "severity" "Severity" NOT NULL,
    "minutes" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CaseSla_pkey" PRIMARY KEY ("orgId","severity")
);

-- CreateIndex
CREATE INDEX "Case_orgId_updatedAt_id_idx" ON "Case"("orgId", "updatedAt", "id");

-- CreateIndex
CREATE INDEX "Case_orgId_entityType_entityId_status_idx" ON "Case"("orgId", "entityType", "entityId", "status");

-- CreateIndex
CREATE INDEX "Case_orgId_status_dueAt_idx" ON "Case"("orgId", "status", "dueAt");

-- CreateIndex
CREATE INDEX "Case_orgId_assigneeId_status_idx" ON "Case"("orgId", "assigneeId", "status");

-- CreateIndex
CREATE INDEX "CaseEvent_caseId_at_idx" ON "CaseEvent"("caseId", "at");

-- CreateIndex
CREATE INDEX "CaseEvent_orgId_createdAt_idx" ON "CaseEvent"("orgId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "CaseEvent_orgId_mutationId_key" ON "CaseEvent"("orgId", "mutationId");

-- CreateIndex
CREATE INDEX "Anomaly_caseId_idx" ON "Anomaly"("caseId");

-- AddForeignKey
ALTER TABLE "Anomaly" ADD CONSTRAINT "Anomaly_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Case" ADD CONSTRAINT "Case_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Case" ADD CONSTRAINT "Case_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseEvent" ADD CONSTRAINT "CaseEvent_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseEvent" ADD CONSTRAINT "CaseEvent_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CaseSla" ADD CONSTRAINT "CaseSla_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

