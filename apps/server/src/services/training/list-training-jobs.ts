import { AppError } from '@anomalyze/shared'
import type { Db } from '../../db/prisma.ts'

const select = {
  id: true,
  trigger: true,
  status: true,
  progress: true,
  failureReason: true,
  report: true,
  createdAt: true,
  startedAt: true,
  completedAt: true,
  modelArtifact: { select: { version: true, isActive: true } },
} as const

type Row = Awaited<ReturnType<typeof findJobs>>[number]

const findJobs = (db: Db, orgId: string, limit: number) => db.trainingJob.findMany({ where: { orgId }, orderBy: { createdAt: 'desc' }, take: limit, select })

/** Times as epoch milliseconds (the API carries plain JSON). */
function toDto(job: Row) {
  return { ...job, createdAt: job.createdAt.getTime(), startedAt: job.startedAt?.getTime() ?? null, completedAt: job.completedAt?.getTime() ?? null }
}

export async function listTrainingJobs(db: Db, orgId: string, limit = 20) {
  return (await findJobs(db, orgId, limit)).map(toDto)
}

export async function getTrainingJob(db: Db, orgId: string, id: string) {
  const job = await db.trainingJob.findFirst({ where: { id, orgId }, select })
  if (!job) throw new AppError('NOT_FOUND', `No training job with id ${id}`, { field: 'id' })
  return toDto(job)
}
