-- AlterTable
ALTER TABLE "Plan" ADD COLUMN     "rateLimitPerMinute" INTEGER NOT NULL DEFAULT 600;

-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "canceledAt" TIMESTAMP(3),
ADD COLUMN     "lastEventAt" TIMESTAMP(3),
ADD COLUMN     "pendingPlanId" TEXT,
ADD COLUMN     "shortUrl" TEXT;

-- AlterTable
ALTER TABLE "Invoice" ADD COLUMN     "gstin" TEXT,
ADD COLUMN     "lineItems" JSONB,
ADD COLUMN     "taxDetails" JSONB;

-- AlterTable
ALTER TABLE "PaymentLog" ADD COLUMN     "needsFollowUp" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "BatchJob" ADD COLUMN     "columnMapping" JSONB,
ADD COLUMN     "committedLines" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "rowErrorsKey" TEXT;

-- AlterTable
ALTER TABLE "TrainingJob" ADD COLUMN     "progress" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "NotificationSettings" ADD COLUMN     "monthlyReportEmail" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "NotificationLog" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Report" ADD COLUMN     "rowCount" INTEGER;

-- CreateTable
CREATE TABLE "RateLimitWindow" (
    "apiKeyId" TEXT NOT NULL,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RateLimitWindow_pkey" PRIMARY KEY ("apiKeyId","windowStart")
);


-- AuditLog is append-only for the application: UPDATE and direct DELETE are refused.
-- Deleting a user still removes their rows through the foreign key's ON DELETE
-- CASCADE, which runs as a nested trigger (pg_trigger_depth() > 1).
-- The body is an E'' string with octal escapes for the statement separators, because
-- Prisma's migration runner splits scripts at every separator, dollar quotes included.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''UPDATE'' OR pg_trigger_depth() <= 1 THEN
    RAISE EXCEPTION ''AuditLog is append-only: % refused'', TG_OP USING ERRCODE = ''insufficient_privilege''\073
  END IF\073
  RETURN OLD\073
END\073
';

CREATE TRIGGER "AuditLog_append_only"
  BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
