import { parseCoreArgs, type CoreArgs, type CoreData, type CoreHandlers, type CoreMethod } from '../../contract/core-methods.ts'
import type { ConsoleConfig } from '../../contract/session.ts'
import type { CoreResult } from '../../contract/result.ts'
import { createCaseService } from '../cases/case-service.ts'
import { createEntityService } from '../cases/entity-service.ts'
import { createRuleService } from '../rules/rule-service.ts'
import type { ScoringService } from '../scoring/scoring-service.ts'
import type { LocalStore } from '../store/local-store.ts'
import type { SyncEngine } from '../sync/sync-engine.ts'
import { ZAddedMember, ZApiKey, ZCreatedApiKey, ZMember } from '../sync/server-client.ts'
import { createBatchUploader } from '../upload/batch-uploader.ts'
import { toCoreError } from './to-core-error.ts'
import { startOfLocalDay } from '../store/queue-queries.ts'

export interface CoreDeps {
  store: LocalStore
  sync: SyncEngine
  scoring: ScoringService
  config: ConsoleConfig
  now?: () => number
}

/** One implementation per method of the contract's table: a missing or extra one is a type error. */
type Implementations = { [M in CoreMethod]: (args: CoreArgs<M>) => CoreData<M> | Promise<CoreData<M>> }

/** The handler map behind both IPC and HTTP: parse args, run, wrap as {data}|{error}. */
export function createHandlers(deps: CoreDeps): CoreHandlers {
  const { store, sync, scoring } = deps
  const now = deps.now ?? Date.now
  const uploader = createBatchUploader({
    session: () => sync.signedInSession(),
    checkSession: async () => {
      await sync.callServer('query', 'me.get', undefined)
    },
    resolveFile: (source) => scoring.resolveFile(source),
  })
  const cases = createCaseService(store, sync, now)
  const entities = createEntityService(store, sync, now)
  const rules = createRuleService({ store, sync, scoring, now })
  const implementations: Implementations = {
    'queue.snapshot': (args) => store.queue.snapshot(args),
    'queue.head': ({ size, ...query }) => store.queue.head(query, size),
    'queue.rows': (args) => store.queue.rows(args.keys),
    'queue.facets': () => store.queue.facets(),
    'queue.progress': (args) => store.queue.progress(args.filters, startOfLocalDay(now())),
    'anomaly.get': (args) => store.queue.get(args.id),
    'account.history': (args) => store.queue.accountHistory(args.accountId, args.limit ?? 60),
    'decision.record': (args) => {
      const result = store.outbox.record(args, sync.currentDecider(), now())
      sync.pushSoon()
      return result
    },
    'decision.undo': () => store.outbox.undoLast(),
    'decision.reopen': (args) => store.outbox.reopen(args, sync.currentDecider(), now()),
    'decision.history': (args) => sync.decisionHistory(args.id),
    'cases.list': (args) => store.cases.list(args, sync.currentUserId(), now()),
    'cases.get': (args) => store.cases.get(args.id, now()),
    'cases.act': (args) => cases.act(args),
    'cases.open': (args) => cases.open(args),
    'cases.merge': (args) => cases.merge(args),
    'cases.split': (args) => cases.split(args),
    'entity.get': (args) => entities.get(args),
    'entity.transactions': (args) => entities.transactions(args),
    'rules.inForce': () => rules.inForce(),
    'rules.check': (args) => rules.check(args.expression),
    'rules.backtestLocal': (args) => rules.startLocalBacktest(args),
    'rules.backtestLocalJob': (args) => rules.localBacktestJob(args.jobId),
    'dashboard.get': (args) => store.dashboard(args.batchId ?? null),
    'sync.status': () => sync.status(),
    'sync.now': () => sync.syncNow(),
    'session.signIn': (args) => sync.signIn(args.serverUrl, args.token),
    'session.signOut': () => sync.signOut(),
    'session.refreshToken': (args) => sync.refreshToken(args.token),
    'session.profile': () => sync.profile(),
    'app.config': () => deps.config,
    'members.list': async () => ZMember.array().parse(await sync.callServer('query', 'members.list', undefined)),
    'members.add': async (args) => ZAddedMember.parse(await sync.callServer('mutation', 'members.add', args)),
    'members.changeRole': async (args) => ZMember.parse(await sync.callServer('mutation', 'members.changeRole', args)),
    'members.remove': async (args) => {
      await sync.callServer('mutation', 'members.remove', args)
      return { removed: true as const }
    },
    'apiKeys.list': async () => ZApiKey.array().parse(await sync.callServer('query', 'apiKeys.list', undefined)),
    'apiKeys.create': async (args) => ZCreatedApiKey.parse(await sync.callServer('mutation', 'apiKeys.create', args)),
    'apiKeys.revoke': async (args) => ZApiKey.parse(await sync.callServer('mutation', 'apiKeys.revoke', args)),
    'scoring.availability': () => scoring.availability(),
    'scoring.inspect': (args) => scoring.inspect(args.source),
    'scoring.start': (args) => scoring.start(args),
    'scoring.job': (args) => scoring.job(args.jobId),
    'scoring.cancel': (args) => scoring.cancel(args.jobId),
    'scoring.batches': () => scoring.batches(),
    'scoring.renameBatch': (args) => scoring.renameBatch(args.batchId, args.name),
    'scoring.deleteBatch': (args) => scoring.deleteBatch(args.batchId),
    'scoring.refit': (args) => scoring.refit(args),
    'scoring.badRows': (args) => store.batches.badRows(args.batchId, args.offset ?? 0, args.limit ?? 200),
    'scoring.export': (args) => scoring.exportBatch(args),
    'scoring.uploadBatch': (args) => uploader.upload(args),
    'scoring.uploadProgress': () => uploader.progress(),
    'server.call': (args) => sync.callServer(args.type, args.path, args.input),
  }
  return Object.fromEntries((Object.keys(implementations) as CoreMethod[]).map((method) => [method, wrap(method, implementations)])) as CoreHandlers
}

function wrap<M extends CoreMethod>(method: M, implementations: Implementations) {
  return async (rawArgs: unknown): Promise<CoreResult<CoreData<M>>> => {
    try {
      const args = parseCoreArgs(method, rawArgs)
      const run = implementations[method] as (a: CoreArgs<M>) => CoreData<M> | Promise<CoreData<M>>
      return { data: await run(args) }
    } catch (error) {
      return { error: toCoreError(error) }
    }
  }
}
