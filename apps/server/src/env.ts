import { z } from 'zod'

/**
 * Server configuration, read from the environment once, validated, and passed down
 * explicitly. This is the only module that reads `process.env`.
 */
const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
)

const ZServerEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Log lines as JSON or as readable text; unset: readable in a terminal, JSON when piped. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Postgres to use. When absent, an embedded Postgres is started in the data dir. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** Where local data lives (embedded Postgres, files, local session secret). */
  ANOMALYZE_DATA_DIR: z.string().min(1).optional(),
  /** Port of the embedded Postgres. */
  PG_PORT: z.coerce.number().int().min(1).max(65_535).default(54_329),
  /** Clerk: PEM public key of the instance; when set, Clerk session tokens are required. */
  CLERK_JWT_KEY: z
    .string()
    .refine((value) => value.includes('BEGIN PUBLIC KEY'), 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)')
    .optional(),
  /** Clerk: expected `iss` (the Frontend API URL), checked when set. */
  CLERK_ISSUER: z.url().optional(),
  /** Clerk: origins allowed in the `azp` claim. */
  CLERK_AUTHORIZED_PARTIES: csv.optional(),
  /** Base URL clients reach this server at (download links, e-mail links); defaults to the listen address. */
  PUBLIC_URL: z.url().optional(),
  /** Object storage: a local folder (default: <data dir>/objects) unless S3_BUCKET is set. */
  OBJECT_STORE_DIR: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(3).optional(),
  /** Endpoint of an S3-compatible store (MinIO, Cloudflare R2...); AWS when absent. */
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  S3_PREFIX: z.string().optional(),
  /** Secret that signs download links of the local-folder store; shared by all instances (default: a key file in the data dir). */
  FILE_LINK_SECRET: z.string().min(16).optional(),
  /** Outgoing e-mail (alerts, reports). No SMTP_HOST: e-mail is off and says so in the logs. */
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(587),
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  SMTP_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  SMTP_TLS_VERIFY: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASS: z.string().optional(),
  MAIL_FROM: z.string().min(3).default('Anomalyze <alerts@anomalyze.local>'),
  /** Twilio (SMS and voice alerts). Without SID, token and sender number, SMS and voice are off and say so in the log. */
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID (AC + 32 hex digits)')
    .optional(),
  /** Also the key that checks X-Twilio-Signature on webhooks. */
  TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
  TWILIO_FROM_NUMBER: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550100')
    .optional(),
  /** Sends the SDK's REST calls here instead of https://api.twilio.com (a local stub or an egress proxy). */
  TWILIO_API_BASE_URL: z.url().optional(),
  /** Alert messages per user, per channel, per hour; past it, a burst is folded into one summary. */
  NOTIFY_MAX_PER_HOUR: z.coerce.number().int().min(1).max(1_000).default(5),
  /** Billing (Razorpay). Without a key id and secret, subscribing says billing is not configured. */
  RAZORPAY_KEY_ID: z.string().min(1).optional(),
  RAZORPAY_KEY_SECRET: z.string().min(1).optional(),
  /** Secret of the webhook endpoint (POST /webhooks/razorpay); unset: every webhook is refused (400). */
  RAZORPAY_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Razorpay API base URL; a local stub in tests. */
  RAZORPAY_API_BASE_URL: z.url().default('https://api.razorpay.com'),
  /** Days a HALTED subscription keeps its paid entitlements before falling back to free. */
  BILLING_GRACE_DAYS: z.coerce.number().min(0).max(60).default(3),
  /** GST on invoices: percent included in plan prices, and how it is split (CGST+SGST within the seller's state, IGST across states). */
  BILLING_GST_PERCENT: z.coerce.number().min(0).max(50).default(18),
  BILLING_TAX_MODE: z.enum(['cgst_sgst', 'igst']).default('cgst_sgst'),
  /** Seller printed on invoices. */
  BILLING_SELLER_NAME: z.string().min(1).default('Anomalyze Technologies Pvt Ltd'),
  BILLING_SELLER_ADDRESS: z.string().min(1).default('Bengaluru, Karnataka, India'),
  BILLING_SELLER_GSTIN: z
    .string()
    .regex(/^\d{2}[A-Z0-9]{13}$/, 'must be a 15-character GSTIN (2-digit state code first)')
    .optional(),
  /** Feedback loop: new analyst decisions (fraud / false positive) that start a retraining on their own; 0 turns it off. */
  RETRAIN_AFTER_LABELS: z.coerce.number().int().min(0).default(50),
  /** Seconds between job fetches of an idle queue (pg-boss polling). */
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(1),
  /** Largest CSV accepted by POST /batch-jobs, in MB (the upload is streamed, never held in memory). */
  BATCH_MAX_UPLOAD_MB: z.coerce.number().min(1).max(10_240).default(1_024),
  /** Rows a batch job ingests per committed chunk (its unit of progress and of resume). */
  BATCH_CHUNK_ROWS: z.coerce.number().int().min(1).max(10_000).default(2_000),
  /** The platform's per-user data folders, where the default data dir goes (Windows; Linux and others). */
  APPDATA: z.string().min(1).optional(),
  XDG_DATA_HOME: z.string().min(1).optional(),
})

export type ServerEnv = z.infer<typeof ZServerEnv>

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  // Empty strings mean "not set", as shells and .env files tend to produce them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''))
  const result = ZServerEnv.safeParse(cleaned)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
}

/**
 * The environment a child process of ours (the Prisma CLI) runs with: this process's
 * own, with `overrides` on top. Secrets go to a child this way, never on its command line.
 */
export function childProcessEnv(overrides: Record<string, string>, source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...source, ...overrides }
}
