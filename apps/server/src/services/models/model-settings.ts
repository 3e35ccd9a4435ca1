import type { Db } from '../../db/prisma.ts'
import { recordAudit, type AuditActor } from '../audit/record-audit.ts'

export interface ModelSettings {
  /** A retrained candidate that wins its evaluation is activated at once (else it waits for an admin). */
  autoActivateModels: boolean
}

export async function getModelSettings(db: Db, orgId: string): Promise<ModelSettings> {
  const org = await db.organization.findUniqueOrThrow({ where: { id: orgId }, select: { autoActivateModels: true } })
  return { autoActivateModels: org.autoActivateModels }
}

/** Turns automatic activation of winning candidates on or off; the change is audited with the old value. */
export async function setAutoActivate(db: Db, actor: AuditActor, enabled: boolean): Promise<ModelSettings> {
  return db.$transaction(async (tx) => {
    const before = await tx.organization.findUniqueOrThrow({ where: { id: actor.orgId }, select: { autoActivateModels: true } })
    await tx.organization.update({ where: { id: actor.orgId }, data: { autoActivateModels: enabled } })
    if (before.autoActivateModels !== enabled) {
      await recordAudit(tx, actor, {
        action: 'model.settings',
        entityType: 'Organization',
        entityId: actor.orgId,
        oldData: { autoActivateModels: before.autoActivateModels },
        newData: { autoActivateModels: enabled },
      })
    }
    return { autoActivateModels: enabled }
  })
}
