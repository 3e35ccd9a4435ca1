import type pg from 'pg'

/**
 * Rows as the schema of migrations 0001 to 0007 held them (every tenant table keyed by
 * "userId"), for test/migration-organizations.test.ts. Written with plain SQL because
 * the Prisma client of this checkout only knows the schema after 0008.
 */
export interface LegacyUser {
  id: string
  name: string | null
  email: string | null
  /** How much of everything the user has; 0 leaves them with their User row only. */
  transactions: number
}

export const LEGACY_USERS: LegacyUser[] = [
  // The busy account: thousands of transactions and a bit of everything.
  { id: 'user_2heavy', name: 'Asha Rao', email: 'asha@example.com', transactions: 5_000 },
  // No name: its organisation is named after the e-mail.
  { id: 'user_2mail', name: null, email: 'meera@example.com', transactions: 40 },
  // An empty name and no e-mail: its organisation is named after the id.
  { id: 'user_2blank', name: '', email: null, transactions: 12 },
  // Signed in once and never did anything.
  { id: 'user_2idle', name: 'Idle Ian', email: 'ian@example.com', transactions: 0 },
]

const PLANS = `
INSERT INTO "Plan" ("id", "name", "priceMinor", "currency", "interval", "monthlyTxQuota", "maxApiKeys", "retentionDays", "features", "razorpayPlanId", "isPublic", "createdAt", "updatedAt", "rateLimitPerMinute") VALUES
  ('free', 'Free', 0, 'INR', 'monthly', 10000, 2, 30, '{"sms_alerts": false, "retraining": false}', NULL, true, '2025-01-01 00:00:00', '2025-01-01 00:00:00', 60),
  ('pro', 'Pro', 499900, 'INR', 'monthly', 1000000, 10, 365, '{"sms_alerts": true, "retraining": true}', 'plan_pro_live', true, '2025-01-01 00:00:00', '2025-02-01 00:00:00', 600),
  ('business', 'Business', 2499900, 'INR', 'monthly', 10000000, 50, 730, '{"sms_alerts": true, "retraining": true, "sso": true}', 'plan_business_live', true, '2025-01-01 00:00:00', '2025-02-01 00:00:00', 3000)`

/** Inserts the plans, the users and each user's rows in every table. */
export async function populateLegacyDatabase(client: pg.Client): Promise<void> {
  await client.query(PLANS)
  for (const user of LEGACY_USERS) {
    await client.query(
      `INSERT INTO "User" ("id", "email", "name", "createdAt", "updatedAt") VALUES ($1, $2, $3, '2025-03-01 09:00:00', '2025-03-02 10:00:00')`,
      [user.id, user.email, user.name],
    )
    if (user.transactions > 0) await populateUser(client, user)
  }
  // A webhook no user could be matched to (its subscription id unknown): userId null.
  await client.query(
    `INSERT INTO "PaymentLog" ("id", "userId", "eventId", "eventType", "payload", "signatureValid", "processedAt", "error", "receivedAt", "needsFollowUp")
     VALUES ('pl-orphan', NULL, 'evt_orphan', 'subscription.charged', '{"payload": {"subscription": {"id": "sub_unknown"}}}', true, NULL, 'no such subscription', '2025-04-01 00:00:00', true)`,
  )
}

async function populateUser(client: pg.Client, user: LegacyUser): Promise<void> {
  const u = user.id
  const n = user.transactions
  // Two batch jobs, one whose rows carry its id.
  await client.query(
    `INSERT INTO "BatchJob" ("id", "userId", "fileName", "r2Key", "status", "totalRows", "processedRows", "acceptedRows", "duplicateRows", "rejectedRows", "rowErrors", "failureReason", "createdAt", "startedAt", "completedAt", "columnMapping", "committedLines", "rowErrorsKey")
     SELECT $1 || '-batch-' || i, $1, 'march-' || i || '.csv', 'users/' || $1 || '/batches/march-' || i || '.csv',
            (CASE WHEN i = 1 THEN 'COMPLETED' ELSE 'FAILED' END)::"JobStatus", $2, $2, $2 - 3, 1, 2,
            '[{"line": 4, "field": "amount", "message": "must be a number"}]', CASE WHEN i = 2 THEN 'object store unreachable' END,
            '2025-03-05 10:00:00'::timestamp + i * interval '1 hour', '2025-03-05 10:00:01'::timestamp + i * interval '1 hour', '2025-03-05 10:05:00'::timestamp + i * interval '1 hour',
            '{"txId": "id", "amount": "amt"}', $2, 'users/' || $1 || '/batches/march-' || i || '-errors.csv'
       FROM generate_series(1, 2) AS i`,
    [u, n],
  )
  await client.query(
    `INSERT INTO "Transaction" ("id", "userId", "txId", "timestamp", "amount", "currency", "accountId", "merchantId", "category", "country", "channel", "latitude", "longitude", "source", "batchJobId", "raw", "createdAt")
     SELECT $1 || '-t-' || lpad(i::text, 6, '0'), $1, 'TX' || i, '2025-03-01 00:00:00'::timestamp + i * interval '37 seconds',
            round((random() * 50000)::numeric, 4), 'INR', 'ACC' || (i % 97), 'M' || (i % 31),
            CASE WHEN i % 5 = 0 THEN NULL ELSE 'grocery' END, CASE WHEN i % 7 = 0 THEN 'SG' ELSE 'IN' END, 'card',
            CASE WHEN i % 3 = 0 THEN NULL ELSE 12.97 + i / 100000.0 END, CASE WHEN i % 3 = 0 THEN NULL ELSE 77.59 END,
            (CASE WHEN i % 2 = 0 THEN 'BATCH_CSV' ELSE 'REALTIME_API' END)::"TransactionSource",
            CASE WHEN i % 2 = 0 THEN $1 || '-batch-1' END, jsonb_build_object('line', i, 'note', 'row ' || i),
            '2025-03-01 00:00:00'::timestamp + i * interval '38 seconds'
       FROM generate_series(1, $2::int) AS i`,
    [u, n],
  )
  // An anomaly on every tenth transaction, with statuses and labels of every kind.
  await client.query(
    `INSERT INTO "Anomaly" ("id", "userId", "transactionId", "score", "severity", "ruleViolations", "explanation", "explanationData", "modelVersion", "status", "isFalsePositive", "acknowledgedAt", "createdAt", "updatedAt")
     SELECT $1 || '-a-' || lpad(i::text, 6, '0'), $1, $1 || '-t-' || lpad(i::text, 6, '0'), 0.5 + (i % 50) / 100.0,
            (ARRAY['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])[1 + (i / 10) % 4]::"Severity", ARRAY['AMOUNT_SPIKE', 'NEW_COUNTRY'],
            'Amount far above the account''s usual spend', jsonb_build_object('zScore', i / 10.0), '1.0.' || (i % 3),
            (ARRAY['OPEN', 'NEEDS_REVIEW', 'CONFIRMED_FRAUD', 'FALSE_POSITIVE'])[1 + (i / 10) % 4]::"AnomalyStatus", (i / 10) % 4 = 3,
            CASE WHEN (i / 10) % 4 >= 2 THEN '2025-03-20 00:00:00'::timestamp END, '2025-03-10 00:00:00'::timestamp + i * interval '1 minute',
            '2025-03-11 00:00:00'::timestamp + i * interval '1 minute'
       FROM generate_series(10, $2::int, 10) AS i`,
    [u, n],
  )
  await client.query(
    `INSERT INTO "AnomalyLabel" ("id", "userId", "anomalyId", "label", "note", "decidedBy", "decidedAt", "mutationId", "createdAt")
     SELECT $1 || '-l-' || a."id", $1, a."id", (CASE a."status" WHEN 'FALSE_POSITIVE' THEN 'FALSE_POSITIVE' WHEN 'CONFIRMED_FRAUD' THEN 'CONFIRMED_FRAUD' ELSE 'NEEDS_REVIEW' END)::"LabelKind",
            CASE WHEN a."score" > 0.7 THEN 'called the customer' END, 'Asha', a."updatedAt", 'mut-' || a."id", a."updatedAt"
       FROM "Anomaly" a WHERE a."userId" = $1 AND a."status" <> 'OPEN'`,
    [u],
  )
  await client.query(
    `INSERT INTO "ApiKey" ("id", "userId", "name", "keyId", "keyPrefix", "keyHash", "scopes", "lastUsedAt", "revokedAt", "expiresAt", "createdAt")
     SELECT $1 || '-k-' || i, $1, 'key ' || i, substr(md5($1 || i), 1, 12), 'sk_live_' || substr(md5($1 || i), 1, 12), '$2b$10$' || md5($1 || 'hash' || i),
            CASE WHEN i = 1 THEN ARRAY['ingest:write'] ELSE ARRAY['anomalies:read', 'transactions:read'] END,
            '2025-03-15 00:00:00', CASE WHEN i = 2 THEN '2025-03-16 00:00:00'::timestamp END, NULL, '2025-03-01 00:00:00'
       FROM generate_series(1, 2) AS i`,
    [u],
  )
  await client.query(
    `INSERT INTO "ApiKeyUsage" ("id", "apiKeyId", "userId", "periodStart", "requests", "transactions", "updatedAt")
     SELECT $1 || '-u-' || i, $1 || '-k-1', $1, make_timestamp(2025, i, 1, 0, 0, 0), 100 * i, 900 * i, make_timestamp(2025, i, 28, 0, 0, 0)
       FROM generate_series(1, 3) AS i`,
    [u],
  )
  await client.query(
    `INSERT INTO "RateLimitWindow" ("apiKeyId", "windowStart", "count")
     SELECT $1 || '-k-1', '2025-03-15 12:00:00'::timestamp + i * interval '1 minute', i * 7 FROM generate_series(1, 5) AS i`,
    [u],
  )
  await client.query(
    `INSERT INTO "AuditLog" ("id", "userId", "actor", "action", "entityType", "entityId", "oldData", "newData", "ipAddress", "userAgent", "createdAt")
     SELECT $1 || '-audit-' || i, $1, CASE WHEN i % 2 = 0 THEN 'user:' || $1 ELSE 'apikey:' || $1 || '-k-1' END,
            (ARRAY['apiKey.create', 'anomaly.label', 'settings.update', 'user.signIn'])[1 + i % 4], 'Anomaly', $1 || '-a-' || lpad((i * 10)::text, 6, '0'),
            CASE WHEN i % 3 = 0 THEN '{"status": "OPEN"}'::jsonb END, jsonb_build_object('status', 'FALSE_POSITIVE', 'n', i), '10.0.0.' || i, 'anomalyze-console/1.0',
            '2025-03-12 00:00:00'::timestamp + i * interval '1 hour'
       FROM generate_series(1, 25) AS i`,
    [u],
  )
  await client.query(
    `INSERT INTO "Subscription" ("id", "userId", "planId", "status", "razorpaySubscriptionId", "currentPeriodStart", "currentPeriodEnd", "cancelAtPeriodEnd", "haltedAt", "features", "createdAt", "updatedAt", "canceledAt", "lastEventAt", "pendingPlanId", "shortUrl")
     VALUES ($1 || '-sub', $1, 'pro', 'ACTIVE', 'sub_' || $1, '2025-03-01', '2025-04-01', false, NULL, '{"sms_alerts": true, "retraining": true}', '2025-02-01', '2025-03-01', NULL, '2025-03-01 00:00:05', 'business', 'https://rzp.io/i/' || $1)`,
    [u],
  )
  await client.query(
    `INSERT INTO "Invoice" ("id", "userId", "subscriptionId", "number", "amountMinor", "taxMinor", "currency", "status", "razorpayPaymentId", "pdfUrl", "periodStart", "periodEnd", "issuedAt", "gstin", "lineItems", "taxDetails")
     SELECT $1 || '-inv-' || i, $1, $1 || '-sub', 'INV-' || $1 || '-' || i, 499900, 89982, 'INR', (CASE WHEN i = 3 THEN 'PENDING' ELSE 'GENERATED' END)::"InvoiceStatus",
            'pay_' || $1 || i, CASE WHEN i < 3 THEN 'users/' || $1 || '/invoices/' || i || '.pdf' END, make_timestamp(2025, i, 1, 0, 0, 0), make_timestamp(2025, i + 1, 1, 0, 0, 0),
            make_timestamp(2025, i, 1, 0, 0, 1), CASE WHEN i = 1 THEN '29ABCDE1234F1Z5' END, '[{"description": "Pro plan", "amountMinor": 499900}]', '{"cgst": 44991, "sgst": 44991}'
       FROM generate_series(1, 3) AS i`,
    [u],
  )
  await client.query(
    `INSERT INTO "PaymentLog" ("id", "userId", "eventId", "eventType", "payload", "signatureValid", "processedAt", "error", "receivedAt", "needsFollowUp")
     SELECT $1 || '-pl-' || i, $1, 'evt_' || $1 || i, 'subscription.charged', jsonb_build_object('payment', 'pay_' || $1 || i), true, make_timestamp(2025, i, 1, 0, 0, 2), NULL,
            make_timestamp(2025, i, 1, 0, 0, 1), false
       FROM generate_series(1, 3) AS i`,
    [u],
  )
  await client.query(
    `INSERT INTO "ModelArtifact" ("id", "userId", "version", "s3Path", "sha256", "manifest", "metrics", "isActive", "activatedAt", "createdAt")
     SELECT $1 || '-m-' || i, $1, '1.0.' || i, 'users/' || $1 || '/models/1.0.' || i || '/model.onnx', repeat(to_hex(i), 64), '{"features": ["amount", "hour"]}',
            jsonb_build_object('auc', 0.9 + i / 100.0), i = 2, CASE WHEN i = 2 THEN '2025-03-18 00:00:00'::timestamp END, make_timestamp(2025, 3, 10 + i, 0, 0, 0)
       FROM generate_series(1, 2) AS i`,
    [u],
  )
  await client.query(
    `INSERT INTO "TrainingJob" ("id", "userId", "trigger", "status", "modelArtifactId", "report", "failureReason", "createdAt", "startedAt", "completedAt", "progress")
     VALUES ($1 || '-tj-1', $1, 'MANUAL', 'COMPLETED', $1 || '-m-2', '{"auc": 0.92}', NULL, '2025-03-17', '2025-03-17 00:00:01', '2025-03-17 00:10:00', 100),
            ($1 || '-tj-2', $1, 'LABEL_THRESHOLD', 'FAILED', NULL, NULL, 'too few labels', '2025-03-19', '2025-03-19 00:00:01', '2025-03-19 00:00:09', 10)`,
    [u],
  )
  await client.query(
    `INSERT INTO "NotificationSettings" ("userId", "email", "phone", "emailEnabled", "smsEnabled", "phoneEnabled", "minSeverityForEmail", "minSeverityForSms", "minSeverityForCall", "quietHoursStart", "quietHoursEnd", "timeZone", "dailyDigest", "updatedAt", "monthlyReportEmail")
     VALUES ($1, 'alerts+' || $1 || '@example.com', '+919800000001', true, true, false, 'MEDIUM', 'HIGH', 'CRITICAL', '22:00', '07:00', 'Asia/Kolkata', true, '2025-03-03', true)`,
    [u],
  )
  await client.query(
    `INSERT INTO "NotificationLog" ("id", "userId", "anomalyId", "channel", "status", "providerMessageId", "metadata", "error", "createdAt", "updatedAt", "attempts")
     SELECT $1 || '-nl-' || a."id" || '-' || c, $1, a."id", c::"NotificationChannel", (CASE WHEN c = 'SMS' THEN 'FAILED' ELSE 'DELIVERED' END)::"NotificationStatus",
            'SM' || md5(a."id" || c), jsonb_build_object('to', '+919800000001'), CASE WHEN c = 'SMS' THEN 'carrier rejected' END, a."createdAt", a."updatedAt", 1
       FROM "Anomaly" a CROSS JOIN unnest(ARRAY['EMAIL', 'SMS']) AS c
      WHERE a."userId" = $1 AND a."severity" IN ('HIGH', 'CRITICAL')`,
    [u],
  )
  await client.query(
    `INSERT INTO "Report" ("id", "userId", "type", "format", "parameters", "status", "progress", "fileUrl", "error", "createdAt", "completedAt", "rowCount")
     VALUES ($1 || '-r-1', $1, 'ANOMALIES', 'CSV', '{"filters": {"severity": "HIGH"}}', 'COMPLETED', 100, 'users/' || $1 || '/reports/r1.csv', NULL, '2025-03-21', '2025-03-21 00:00:03', 120),
            ($1 || '-r-2', $1, 'MONTHLY_SUMMARY', 'PDF', '{"month": "2025-02"}', 'FAILED', 40, NULL, 'renderer crashed', '2025-03-01', NULL, NULL)`,
    [u],
  )
  await client.query(
    `INSERT INTO "AccountFeatureState" ("userId", "accountId", "state", "updatedAt")
     SELECT $1, 'ACC' || i, json_build_object('count', i * 3, 'mean', i * 10.5, 'lastTs', 1740787200000 + i), '2025-03-25 00:00:00' FROM generate_series(0, LEAST(96, $2::int - 1)) AS i`,
    [u, n],
  )
  await client.query(
    `INSERT INTO "MerchantFeatureState" ("userId", "merchantId", "state", "updatedAt")
     SELECT $1, 'M' || i, json_build_object('count', i * 11,   'fraudRate', 0.01 * i), '2025-03-25 00:00:00' FROM generate_series(0, LEAST(30, $2::int - 1)) AS i`,
    [u, n],
  )
}
