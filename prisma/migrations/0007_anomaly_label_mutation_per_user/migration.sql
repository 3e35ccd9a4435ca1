-- DropIndex
DROP INDEX "AnomalyLabel_mutationId_key";

-- CreateIndex
CREATE UNIQUE INDEX "AnomalyLabel_userId_mutationId_key" ON "AnomalyLabel"("userId", "mutationId");

