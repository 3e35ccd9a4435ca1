import { AppError, MAX_ENTITY_PAGE, ZEntityProfile, ZEntityTransactionsOutput } from '@anomalyze/shared'
import type { EntityRefArgs, EntityTransactionsArgs, EntityTransactionsPage, EntityView } from '../../contract/entity.ts'
import type { LocalStore } from '../store/local-store.ts'
import type { SyncEngine } from '../sync/sync-engine.ts'

/**
 * The entity view: asked of the server (entities.profile / entities.transactions),
 * stored in the cache with when it was fetched, and read from the cache when the
 * server cannot be reached (offline, signed out, or a server from before the entity
 * view). Any other refusal (a bad filter, no permission) is the server's to tell.
 */
export interface EntityService {
  get(args: EntityRefArgs): Promise<EntityView>
  transactions(args: EntityTransactionsArgs): Promise<EntityTransactionsPage>
}

export const DEFAULT_ENTITY_PAGE = 200

/** Offline, signed out, or a server without the procedure (tRPC's NOT_FOUND "No procedure found"). */
function unreachable(error: unknown): boolean {
  if (!(error instanceof AppError)) return false
  return error.code === 'UNAVAILABLE' || error.code === 'UNAUTHENTICATED' || (error.code === 'NOT_FOUND' && /no procedure/i.test(error.message))
}

export function createEntityService(store: LocalStore, sync: SyncEngine, now: () => number): EntityService {
  return {
    async get(args) {
      const ref = { type: args.type, id: args.id }
      try {
        const profile = ZEntityProfile.parse(await sync.callServer('query', 'entities.profile', ref))
        const fetchedAt = now()
        store.entities.saveProfile(profile, fetchedAt)
        return { profile, fetchedAt, offline: false }
      } catch (error) {
        if (!unreachable(error)) throw error
        const cached = store.entities.profile(ref)
        return { profile: cached?.profile ?? null, fetchedAt: cached?.fetchedAt ?? null, offline: true }
      }
    },
    async transactions(args) {
      const ref = { type: args.type, id: args.id }
      const limit = Math.min(args.limit ?? DEFAULT_ENTITY_PAGE, MAX_ENTITY_PAGE)
      const { type: _type, id: _id, cursor, limit: _limit, ...filters } = args
      const cursorOrNull = cursor ?? null
      // A cursor from the cache's own pages is followed in the cache only.
      if (cursorOrNull === null || !cursorOrNull.startsWith('local:')) {
        try {
          const answer = ZEntityTransactionsOutput.parse(
            await sync.callServer('query', 'entities.transactions', { ...ref, ...filters, cursor: cursorOrNull, limit }),
          )
          const fetchedAt = now()
          store.entities.saveTransactions(ref, answer.items, fetchedAt)
          return { ...answer, fetchedAt, offline: false }
        } catch (error) {
          if (!unreachable(error)) throw error
        }
      }
      return { ...store.entities.transactions(ref, filters, cursorOrNull, limit), offline: true }
    },
  }
}
