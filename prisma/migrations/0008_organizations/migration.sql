-- Organisations become the tenant (issue #19).
--
-- Written by hand: `migrate diff` drops the userId columns and adds empty orgId ones,
-- which would lose every row's owner. Here nothing is rewritten: each existing user
-- gets a personal organisation whose id IS their user id (Clerk ids are user_...,
-- organisation ids org_..., so they never collide), they become its ADMIN, and every
-- tenant table's "userId" column is renamed "orgId" in place, its foreign key now
-- pointing at the organisation. Indexes are renamed to the names Prisma expects, so the
-- result equals the schema (test/migrations.test.ts) and row contents are unchanged
-- (test/migration-organizations.test.ts checks counts and checksums).

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'ANALYST', 'VIEWER');

-- CreateTable
CREATE TABLE "Organization" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "personal" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "orgId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "removedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("orgId","userId")
);

-- CreateIndex
CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");

-- Every existing user: a personal organisation with the user's id, and its admin.
INSERT INTO "Organization" ("id", "name", "personal", "createdAt", "updatedAt")
SELECT "id", COALESCE(NULLIF("name", ''), NULLIF("email", ''), "id"), true, "createdAt", CURRENT_TIMESTAMP FROM "User";

INSERT INTO "Membership" ("orgId", "userId", "role", "createdAt", "updatedAt")
SELECT "id", "id", 'ADMIN', "createdAt", CURRENT_TIMESTAMP FROM "User";

ALTER TABLE "ApiKey" DROP CONSTRAINT "ApiKey_userId_fkey";
ALTER TABLE "ApiKey" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "ApiKeyUsage" DROP CONSTRAINT "ApiKeyUsage_userId_fkey";
ALTER TABLE "ApiKeyUsage" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "AuditLog" DROP CONSTRAINT "AuditLog_userId_fkey";
ALTER TABLE "AuditLog" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "Subscription" DROP CONSTRAINT "Subscription_userId_fkey";
ALTER TABLE "Subscription" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "Invoice" DROP CONSTRAINT "Invoice_userId_fkey";
ALTER TABLE "Invoice" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "PaymentLog" DROP CONSTRAINT "PaymentLog_userId_fkey";
ALTER TABLE "PaymentLog" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "Transaction" DROP CONSTRAINT "Transaction_userId_fkey";
ALTER TABLE "Transaction" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "BatchJob" DROP CONSTRAINT "BatchJob_userId_fkey";
ALTER TABLE "BatchJob" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "Anomaly" DROP CONSTRAINT "Anomaly_userId_fkey";
ALTER TABLE "Anomaly" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "AnomalyLabel" DROP CONSTRAINT "AnomalyLabel_userId_fkey";
ALTER TABLE "AnomalyLabel" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "ModelArtifact" DROP CONSTRAINT "ModelArtifact_userId_fkey";
ALTER TABLE "ModelArtifact" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "TrainingJob" DROP CONSTRAINT "TrainingJob_userId_fkey";
ALTER TABLE "TrainingJob" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "NotificationSettings" DROP CONSTRAINT "NotificationSettings_userId_fkey";
ALTER TABLE "NotificationSettings" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "NotificationLog" DROP CONSTRAINT "NotificationLog_userId_fkey";
ALTER TABLE "NotificationLog" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "Report" DROP CONSTRAINT "Report_userId_fkey";
ALTER TABLE "Report" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "AccountFeatureState" RENAME COLUMN "userId" TO "orgId";
ALTER TABLE "MerchantFeatureState" RENAME COLUMN "userId" TO "orgId";

ALTER INDEX "ApiKey_userId_createdAt_idx" RENAME TO "ApiKey_orgId_createdAt_idx";
ALTER INDEX "ApiKeyUsage_userId_periodStart_idx" RENAME TO "ApiKeyUsage_orgId_periodStart_idx";
ALTER INDEX "AuditLog_userId_createdAt_idx" RENAME TO "AuditLog_orgId_createdAt_idx";
ALTER INDEX "AuditLog_userId_action_createdAt_idx" RENAME TO "AuditLog_orgId_action_createdAt_idx";
ALTER INDEX "Subscription_userId_key" RENAME TO "Subscription_orgId_key";
ALTER INDEX "Invoice_userId_issuedAt_idx" RENAME TO "Invoice_orgId_issuedAt_idx";
ALTER INDEX "PaymentLog_userId_receivedAt_idx" RENAME TO "PaymentLog_orgId_receivedAt_idx";
ALTER INDEX "Transaction_userId_timestamp_idx" RENAME TO "Transaction_orgId_timestamp_idx";
ALTER INDEX "Transaction_userId_accountId_timestamp_idx" RENAME TO "Transaction_orgId_accountId_timestamp_idx";
ALTER INDEX "Transaction_userId_merchantId_timestamp_idx" RENAME TO "Transaction_orgId_merchantId_timestamp_idx";
ALTER INDEX "Transaction_userId_txId_key" RENAME TO "Transaction_orgId_txId_key";
ALTER INDEX "BatchJob_userId_createdAt_idx" RENAME TO "BatchJob_orgId_createdAt_idx";
ALTER INDEX "Anomaly_userId_severity_createdAt_idx" RENAME TO "Anomaly_orgId_severity_createdAt_idx";
ALTER INDEX "Anomaly_userId_status_createdAt_idx" RENAME TO "Anomaly_orgId_status_createdAt_idx";
ALTER INDEX "Anomaly_userId_updatedAt_id_idx" RENAME TO "Anomaly_orgId_updatedAt_id_idx";
ALTER INDEX "AnomalyLabel_userId_createdAt_idx" RENAME TO "AnomalyLabel_orgId_createdAt_idx";
ALTER INDEX "AnomalyLabel_userId_mutationId_key" RENAME TO "AnomalyLabel_orgId_mutationId_key";
ALTER INDEX "ModelArtifact_userId_isActive_idx" RENAME TO "ModelArtifact_orgId_isActive_idx";
ALTER INDEX "ModelArtifact_userId_version_key" RENAME TO "ModelArtifact_orgId_version_key";
ALTER INDEX "TrainingJob_userId_createdAt_idx" RENAME TO "TrainingJob_orgId_createdAt_idx";
ALTER INDEX "NotificationLog_userId_createdAt_idx" RENAME TO "NotificationLog_orgId_createdAt_idx";
ALTER INDEX "NotificationLog_userId_channel_status_createdAt_idx" RENAME TO "NotificationLog_orgId_channel_status_createdAt_idx";
ALTER INDEX "Report_userId_createdAt_idx" RENAME TO "Report_orgId_createdAt_idx";

-- Postgres 18 names NOT NULL constraints after their column ("<Table>_userId_not_null")
-- and a column rename keeps the old name: rename them as a fresh schema names them.
-- Earlier versions have no such constraints, and this finds nothing. (Prisma's migration
-- runner splits the file at every semicolon, quoted or not: inside the block they are
-- written \073, the escape string's octal for a semicolon.)
DO E'DECLARE c record\073
BEGIN
  FOR c IN
    SELECT con.conrelid::regclass AS tbl, con.conname
      FROM pg_constraint con
     WHERE con.connamespace = ''public''::regnamespace
       AND right(con.conname, 16) = ''_userId_not_null''
       AND con.conrelid::regclass::text IN (''"ApiKey"'', ''"ApiKeyUsage"'', ''"AuditLog"'', ''"Subscription"'', ''"Invoice"'', ''"PaymentLog"'', ''"Transaction"'',
         ''"BatchJob"'', ''"Anomaly"'', ''"AnomalyLabel"'', ''"ModelArtifact"'', ''"TrainingJob"'', ''"NotificationSettings"'', ''"NotificationLog"'', ''"Report"'',
         ''"AccountFeatureState"'', ''"MerchantFeatureState"'')
  LOOP
    EXECUTE format(''ALTER TABLE %s RENAME CONSTRAINT %I TO %I'', c.tbl, c.conname, replace(c.conname, ''_userId_'', ''_orgId_''))\073
  END LOOP\073
END';

-- CreateTable
CREATE TABLE "SessionUsage" (
    "orgId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "transactions" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SessionUsage_pkey" PRIMARY KEY ("orgId","periodStart")
);

-- Who did what, now that several people share a workspace.
ALTER TABLE "ApiKey" ADD COLUMN "createdById" TEXT;
ALTER TABLE "AnomalyLabel" ADD COLUMN "decidedById" TEXT, ADD COLUMN "supersededAt" TIMESTAMP(3);
ALTER TABLE "ModelArtifact" ADD COLUMN "activatedById" TEXT;
ALTER TABLE "Report" ADD COLUMN "requestedById" TEXT;

-- Seats: members an organisation's plan allows.
ALTER TABLE "Plan" ADD COLUMN "maxMembers" INTEGER NOT NULL DEFAULT 3;
UPDATE "Plan" SET "maxMembers" = 10 WHERE "id" = 'pro';
UPDATE "Plan" SET "maxMembers" = 50 WHERE "id" = 'business';

-- Before organisations, a decision's author was always the account's one person.
UPDATE "AnomalyLabel" l SET "decidedById" = l."orgId" WHERE EXISTS (SELECT 1 FROM "User" u WHERE u."id" = l."orgId");
UPDATE "ApiKey" k SET "createdById" = k."orgId" WHERE EXISTS (SELECT 1 FROM "User" u WHERE u."id" = k."orgId");

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKeyUsage" ADD CONSTRAINT "ApiKeyUsage_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Subscription" ADD CONSTRAINT "Subscription_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PaymentLog" ADD CONSTRAINT "PaymentLog_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Transaction" ADD CONSTRAINT "Transaction_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BatchJob" ADD CONSTRAINT "BatchJob_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Anomaly" ADD CONSTRAINT "Anomaly_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AnomalyLabel" ADD CONSTRAINT "AnomalyLabel_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelArtifact" ADD CONSTRAINT "ModelArtifact_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingJob" ADD CONSTRAINT "TrainingJob_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationSettings" ADD CONSTRAINT "NotificationSettings_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationLog" ADD CONSTRAINT "NotificationLog_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SessionUsage" ADD CONSTRAINT "SessionUsage_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
