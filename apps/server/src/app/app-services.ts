import type { ServerEnv } from '../env.ts'
import type { JobQueue } from '../jobs/job-queue.ts'
import type { ObjectStore } from '../storage/object-store.ts'

/**
 * The long-lived parts a procedure or a worker may need besides the database, built
 * once in start-app.ts and passed down explicitly (tests build their own).
 */
export interface AppServices {
  env: ServerEnv
  storage: ObjectStore
  jobs: JobQueue
  /** Base URL clients reach this server at (download and e-mail links). */
  publicUrl: () => string
}
