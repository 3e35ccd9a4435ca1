-- Ingestion rewrites a feature-state row (about 1 KB for an account, 400 bytes for a
-- merchant) on every batch that touches it. With full pages each rewrite lands on
-- another page and must update the indexes too. Room left on each page lets Postgres
-- write the new version beside the old one (a HOT update: no index writes, and the
-- old version is pruned in place), inside the critical section that concurrent
-- batches queue on.
ALTER TABLE "AccountFeatureState" SET (fillfactor = 70);
ALTER TABLE "MerchantFeatureState" SET (fillfactor = 70);
