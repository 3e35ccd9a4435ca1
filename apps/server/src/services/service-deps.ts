import type { Db } from '../db/prisma.ts'
import type { ServerEnv } from '../env.ts'
import type { JobQueue } from '../jobs/job-queue.ts'
import type { Logger } from '../logger.ts'
import type { BillingGatewayProvider } from './razorpay/razorpay-client.ts'
import type { Mailer } from './email/mailer.ts'
import type { ModelRegistry } from './models/model-registry.ts'
import type { TwilioConfig } from './twilio/twilio-client.ts'
import type { ObjectStore } from '../storage/object-store.ts'

/**
 * The long-lived parts a procedure or a worker may need besides the database, built
 * once in app/start-app.ts and passed down explicitly (tests build their own). Declared
 * here, below every service, so services take what they need without importing app/.
 */
export interface AppServices {
  env: ServerEnv
  storage: ObjectStore
  jobs: JobQueue
  /** The models this instance scores with (active version per organisation, loaded models). */
  models: ModelRegistry
  /** Base URL clients reach this server at (download and e-mail links). */
  publicUrl: () => string
  /** Outgoing e-mail over SMTP; null when SMTP_HOST is unset (e-mail is then skipped). */
  mailer: Mailer | null
  /** SMS and voice calls; null unless every TWILIO_* setting is there. */
  twilio: TwilioConfig | null
  /** The Razorpay gateway; calling it throws UNAVAILABLE when billing is not configured. */
  billing: BillingGatewayProvider
  /**
   * Signs local-mode sign-in tokens for teammates an admin adds (printed once); null
   * with Clerk, where people are invited through Clerk instead.
   */
  localTokens: LocalTokenMinter | null
}

export interface LocalTokenMinter {
  mint(person: { userId: string; name: string; orgId: string }): Promise<string>
}

/** What every background worker is handed: the services plus the database and the log. */
export interface WorkerDeps extends AppServices {
  db: Db
  log: Logger
}
