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
CREATE INDEX "Case_breachNotifiedAt_dueAt_idx" ON "Case"("breachNotifiedAt", "dueAt");

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


-- Backfill: the alerts still waiting for a decision (status OPEN or NEEDS_REVIEW) get a case,
-- one ACCOUNT case per organisation and account, as ingestion would have opened it. Its
-- priority is the worst severity among them (the enum is declared from LOW to CRITICAL, so
-- max() is the worst), it opened when the oldest of them arrived, and it is due that long
-- after it opened under the default SLA (packages/shared/src/cases/sla.ts: CRITICAL 4 h,
-- HIGH 24 h, MEDIUM 3 d, LOW 7 d). Decided alerts stay without a case. Plain statements
-- only: the migration runner splits this file on every semicolon.
CREATE TABLE "_CaseBackfill" AS
SELECT gen_random_uuid()::text AS "id", a."orgId", t."accountId", max(a."severity") AS "priority", min(a."createdAt") AS "openedAt",
       array_agg(a."id" ORDER BY a."createdAt", a."id") AS "anomalyIds"
FROM "Anomaly" a
JOIN "Transaction" t ON t."id" = a."transactionId"
WHERE a."status" IN ('OPEN', 'NEEDS_REVIEW')
GROUP BY a."orgId", t."accountId";

INSERT INTO "Case" ("id", "orgId", "entityType", "entityId", "status", "priority", "dueAt", "createdAt", "updatedAt")
SELECT b."id", b."orgId", 'ACCOUNT', b."accountId", 'OPEN', b."priority",
       b."openedAt" + make_interval(mins => CASE b."priority" WHEN 'CRITICAL' THEN 240 WHEN 'HIGH' THEN 1440 WHEN 'MEDIUM' THEN 4320 ELSE 10080 END),
       b."openedAt", CURRENT_TIMESTAMP
FROM "_CaseBackfill" b;

-- updatedAt moves so that consoles pull the alerts again, now with their caseId.
UPDATE "Anomaly" a SET "caseId" = b."id", "updatedAt" = CURRENT_TIMESTAMP
FROM "Transaction" t, "_CaseBackfill" b
WHERE t."id" = a."transactionId" AND b."orgId" = a."orgId" AND b."accountId" = t."accountId" AND a."status" IN ('OPEN', 'NEEDS_REVIEW');

INSERT INTO "CaseEvent" ("id", "orgId", "caseId", "kind", "actorId", "actorName", "at", "data")
SELECT gen_random_uuid()::text, b."orgId", b."id", 'opened', NULL, 'Anomalyze', b."openedAt",
       jsonb_build_object('entityType', 'ACCOUNT', 'entityId', b."accountId", 'by', 'ingestion')
FROM "_CaseBackfill" b;

INSERT INTO "CaseEvent" ("id", "orgId", "caseId", "kind", "actorId", "actorName", "at", "data")
SELECT gen_random_uuid()::text, b."orgId", b."id", 'alerts_added', NULL, 'Anomalyze', b."openedAt",
       jsonb_build_object('anomalyIds', to_jsonb(b."anomalyIds"), 'count', cardinality(b."anomalyIds"))
FROM "_CaseBackfill" b;

DROP TABLE "_CaseBackfill";
