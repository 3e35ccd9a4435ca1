-- The hourly alert cap reads a user's active notifications of one channel in the last
-- hour. Through the (userId, createdAt) index that read also visited every SKIPPED row
-- of the hour, millions during a large batch job, once per delivery job.
CREATE INDEX "NotificationLog_userId_channel_status_createdAt_idx" ON "NotificationLog"("userId", "channel", "status", "createdAt");
