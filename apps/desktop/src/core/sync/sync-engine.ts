import { AppError, MAX_PULL_PAGE, MAX_PUSH_DECISIONS } from '@anomalyze/shared'
import type { SyncState, SyncStatus } from '../../contract/sync-status.ts'
import { filePermissionsProtector, type TokenProtector } from '../session/token-protector.ts'
import { readModelChange } from '../models/rescore-queue.ts'
import type { LocalStore } from '../store/local-store.ts'
import { isCacheBusy } from '../store/open-database.ts'
import { pullCases, pushCaseActions } from './case-sync.ts'
import { createPushScheduler, type PushScheduler } from './push-scheduler.ts'
import { createRuleSetCache } from '../rules/rule-set-cache.ts'
import { syncRulesInForce, type RulesSyncOutcome } from '../rules/sync-rules.ts'
import { z } from 'zod'
import type { Profile, ProfileAnswer } from '../../contract/profile.ts'
import type { DecisionHistoryEntry } from '../../contract/decisions.ts'
import type { Decider } from '../store/outbox.ts'
import {
  classifySyncError,
  toAppError,
  ZDecisionHistory,
  ZServerUser,
  type PulledPage,
  type ServerUser,
  type ServerClient,
  type ServerClientFactory,
  type SyncFailureKind,
} from './server-client.ts'

export interface SyncEngineOptions {
  store: LocalStore
  createClient: ServerClientFactory
  now?: () => number
  pullPageSize?: number
  /** How the session token is kept at rest (Electron: OS keychain). */
  tokenProtector?: TokenProtector
  /** Rows still to come from which a pull sets the cache's indexes aside (default BULK_LOAD_MIN_ROWS). */
  bulkLoadMinRows?: number
  /**
   * Runs after every complete pull (the core follows the account's active model and
   * re-scores the queue here); `progress` shows in the sync status meanwhile.
   */
  afterPull?: (progress: (phase: 'rescore', done: number, total: number) => void) => Promise<void>
  /** Pause before storing a page again when the cache stayed busy (default CACHE_RETRY_MS). */
  cacheRetryMs?: number
  /** Wait after the last decision before pushing it (default PUSH_DEBOUNCE_MS). */
  pushDebounceMs?: number
  /** Pauses between tries of a failed push (default PUSH_RETRY_DELAYS_MS). */
  pushRetryDelaysMs?: readonly number[]
}

/**
 * What the status bar says while another connection (the scoring worker) holds the
 * cache past its busy timeout: a wait, not a sync error.
 */
export const CACHE_WAIT_MESSAGE = 'Waiting for the cache: another task (scoring a file) is writing to it; the sync goes on when it is free.'
/** A page that met a busy cache is stored again after this pause, this many times, in the same run. */
export const CACHE_RETRY_MS = 1_000
const CACHE_RETRIES = 3

/** Rows still to come from which a sync stores them without indexes (store/bulk-load.ts). */
export const BULK_LOAD_MIN_ROWS = 20_000

/**
 * Where the last pull's time went (milliseconds), for bench:desktop and the debug
 * log. Pages are fetched one ahead, so the server's and the network's time overlap
 * the stores: `waitMs` is what the engine spent waiting for a page, the part of the
 * request time the overlap did not hide.
 */
export interface PullStats {
  pages: number
  rows: number
  totalMs: number
  waitMs: number
  /** Storing pages in SQLite (apply-page.ts). */
  applyMs: number
  /** Putting indexes back and rebuilding the word index after a bulk load. */
  finishMs: number
  /** Sums over pages of the client's PullTiming (zero where a client does not tell). */
  requestMs: number
  serverDbMs: number
  decodeMs: number
}

/**
 * Moves decisions up and anomalies down. Push goes first so that the pull which
 * follows already carries the server's verdict on them. Every page is stored with
 * its cursor in one transaction (see apply-page.ts), so a crash or a lost connection
 * costs at most the page in flight; decisions carry mutationIds, so a resent push is
 * answered `duplicate` and applied once.
 */
export class SyncEngine {
  private running: Promise<void> | null = null
  private progress: SyncStatus['progress'] = null
  // 'busy': the cache stayed locked by another writer; the next run (tick) picks up
  // from the last stored page. Shown as a wait, never as a sync error.
  private lastFailure: { kind: SyncFailureKind | 'busy'; message: string } | null = null
  private waitingForCache = false
  private pullStats: PullStats | null = null
  private rulesSync: RulesSyncOutcome | null = null
  // When a push alone (pushPending) last left nothing waiting: the status bar's
  // "Last synced" counts it, as the cache and the server agree on this analyst's work.
  private lastPushedAt: number | null = null
  private readonly now: () => number
  private readonly pageSize: number
  private readonly pushes: PushScheduler

  constructor(private readonly options: SyncEngineOptions) {
    this.now = options.now ?? Date.now
    this.pageSize = Math.min(options.pullPageSize ?? 1_000, MAX_PULL_PAGE)
    this.pushes = createPushScheduler({
      push: () => this.pushPending(),
      ...(options.pushDebounceMs === undefined ? {} : { debounceMs: options.pushDebounceMs }),
      ...(options.pushRetryDelaysMs === undefined ? {} : { retryDelaysMs: options.pushRetryDelaysMs }),
    })
  }

  status(): SyncStatus {
    const { state } = this.options.store
    const serverUrl = state.get('serverUrl')
    const signedIn = serverUrl !== null && this.readToken() !== null
    const user = parseUser(state.get('user'))
    const lastPulledAt = state.get('lastSyncedAt')
    const counts = this.options.store.outbox.counts()
    const lastSyncedAt = lastPulledAt === null ? this.lastPushedAt : Math.max(Number(lastPulledAt), this.lastPushedAt ?? 0)
    return {
      state: this.currentState(signedIn),
      serverUrl,
      signedIn,
      user: user === null ? null : { id: user.id, email: user.email, name: user.name },
      lastSyncedAt,
      // Decisions and case actions alike wait in an outbox for the server.
      pending: counts.pending + this.options.store.caseOutbox.count(),
      rejected: counts.rejected,
      conflicts: counts.conflicts,
      progress: this.progress,
      activeModelVersion: state.get('activeModelVersion'),
      modelChange: readModelChange(this.options.store),
      cachedAnomalies: this.options.store.countServerAnomalies(),
      error: this.waitingForCache ? CACHE_WAIT_MESSAGE : (this.lastFailure?.message ?? null),
      sessionProtection: this.protector.kind,
    }
  }

  /** Checks the token with the server (me.get) before remembering it. */
  async signIn(serverUrl: string, token: string): Promise<SyncStatus> {
    const client = this.options.createClient({ serverUrl, token })
    let user
    try {
      user = await client.me()
    } catch (error) {
      const failure = classifySyncError(error)
      throw new AppError(failure.kind === 'unauthorized' ? 'UNAUTHENTICATED' : 'UNAVAILABLE', failure.message)
    }
    const { state } = this.options.store
    this.assertOutboxOwner(user)
    if (state.get('serverUrl') !== null && state.get('serverUrl') !== serverUrl) {
      // A different server has different anomalies and cases: start their cursors from scratch.
      state.set('cursor', null)
      state.set('caseCursor', null)
    }
    state.set('serverUrl', serverUrl)
    state.set('token', this.protector.protect(token))
    this.adopt(user)
    this.lastFailure = null
    return this.status()
  }

  /**
   * Who is signed in, asked of the server (roles change while the console runs), or
   * what it said last time when it cannot be reached. A token now naming another
   * organisation (Clerk: the active organisation was switched) swaps the cache.
   */
  async profile(): Promise<ProfileAnswer> {
    const session = this.signedInSession()
    if (session === null) return { profile: null, fresh: false }
    try {
      const user = await this.options.createClient(session).me()
      this.adopt(user)
      return { profile: toProfile(user), fresh: true }
    } catch (error) {
      if (error instanceof AppError && error.code === 'CONFLICT') throw error
      const stored = parseUser(this.options.store.state.get('user'))
      return { profile: stored === null ? null : toProfile(stored), fresh: false }
    }
  }

  /**
   * Pending decisions are pushed with the signed-in token, so the server would record
   * them as the new person's (or refuse them in another organisation): a sign-in as
   * someone else waits until they are synced.
   */
  private assertOutboxOwner(user: ServerUser): void {
    const decisions = this.options.store.outbox.counts().pending
    const caseActions = this.options.store.caseOutbox.count()
    const pending = decisions + caseActions
    const owner = parseOwner(this.options.store.state.get('outboxOwner'))
    if (pending === 0 || owner === null || (owner.id === user.id && owner.orgId === orgIdOf(user))) return
    const noun = caseActions === 0 ? (pending === 1 ? 'decision' : 'decisions') : pending === 1 ? 'change' : 'changes'
    throw new AppError(
      'CONFLICT',
      `${pending} ${noun} made as ${owner.name} in ${owner.orgName} ${pending === 1 ? 'is' : 'are'} not synced yet: ` +
        `sign in as ${owner.name} and sync first, so they are not sent under someone else's name.`,
    )
  }

  /** Remembers the profile; another organisation's cached queue is dropped first. */
  private adopt(user: ServerUser): void {
    const { state } = this.options.store
    const orgId = orgIdOf(user)
    const cached = state.get('cacheOrgId')
    if (cached !== null && cached !== orgId) {
      this.assertOutboxOwner(user)
      this.options.store.forgetServerData()
    }
    state.set('cacheOrgId', orgId)
    state.set('user', JSON.stringify(user))
    state.set('outboxOwner', JSON.stringify({ id: user.id, name: user.name ?? user.email ?? user.id, orgId, orgName: user.org?.name ?? 'your workspace' }))
  }

  signOut(): SyncStatus {
    this.pushes.stop()
    this.options.store.state.set('token', null)
    this.options.store.state.set('user', null)
    this.lastFailure = null
    return this.status()
  }

  /** One full sync; concurrent callers share the run in progress. */
  async syncNow(): Promise<SyncStatus> {
    this.running ??= this.run().finally(() => {
      this.running = null
      this.progress = null
    })
    await this.running
    return this.status()
  }

  /**
   * A decision was just queued: push it within seconds (debounced, retried with pauses
   * when offline) rather than waiting for the periodic sync. Signed out, nothing leaves.
   */
  pushSoon(): void {
    if (this.signedInSession() !== null) this.pushes.soon()
  }

  /** Stops a waiting push (the core is closing). */
  stopScheduledPushes(): void {
    this.pushes.stop()
  }

  /**
   * Pushes what waits in the outboxes, without a pull (seconds at most where a full sync
   * can take minutes). After a sync in progress, which may have sent it already. True
   * when nothing is left waiting and the server answered.
   */
  async pushPending(): Promise<boolean> {
    while (this.running !== null) await this.running.catch(() => undefined)
    if (this.signedInSession() === null || this.waitingCount() === 0) return true
    this.running = this.runPush().finally(() => {
      this.running = null
      this.progress = null
    })
    await this.running
    return this.lastFailure === null && this.waitingCount() === 0
  }

  private waitingCount(): number {
    return this.options.store.outbox.counts().pending + this.options.store.caseOutbox.count()
  }

  /**
   * Swaps in a fresh token for the signed-in server without a round trip: Clerk
   * session tokens expire within minutes, and the renderer relays new ones.
   */
  refreshToken(token: string): SyncStatus {
    if (this.options.store.state.get('serverUrl') === null) throw new AppError('UNAUTHENTICATED', 'Sign in to a server first.')
    this.options.store.state.set('token', this.protector.protect(token))
    if (this.lastFailure?.kind === 'unauthorized') this.lastFailure = null
    return this.status()
  }

  /** Forwards one procedure call to the signed-in server (the console's online screens). */
  async callServer(type: 'query' | 'mutation', path: string, input: unknown): Promise<unknown> {
    const { state } = this.options.store
    const serverUrl = state.get('serverUrl')
    const token = this.readToken()
    if (serverUrl === null || token === null) throw new AppError('UNAUTHENTICATED', 'Sign in to a server to use this screen.')
    return this.options.createClient({ serverUrl, token }).call(type, path, input)
  }

  /** Server and token of the signed-in session, for the core's own HTTP calls (batch uploads); null when signed out. */
  signedInSession(): { serverUrl: string; token: string } | null {
    const serverUrl = this.options.store.state.get('serverUrl')
    const token = this.readToken()
    return serverUrl === null || token === null ? null : { serverUrl, token }
  }

  /** The stored token, or null when there is none or it cannot be decrypted here. */
  private readToken(): string | null {
    const stored = this.options.store.state.get('token')
    if (stored === null) return null
    try {
      return this.protector.reveal(stored)
    } catch {
      return null
    }
  }

  private get protector(): TokenProtector {
    return this.options.tokenProtector ?? filePermissionsProtector
  }

  /** True while a sync runs (its push may already be past an action queued now). */
  isSyncing(): boolean {
    return this.running !== null
  }

  /** The signed-in person as a case shows them (claims name them); 'local-analyst' before sign-in. */
  currentPerson(): { id: string; name: string } {
    const decider = this.currentDecider()
    return { id: this.currentUserId(), name: decider.name }
  }

  /** What the last sync did with the rule set in force (null before the first). */
  lastRulesSync(): RulesSyncOutcome | null {
    return this.rulesSync
  }

  /** Figures of the last pull (complete or not), null before the first. */
  lastPullStats(): PullStats | null {
    return this.pullStats === null ? null : { ...this.pullStats }
  }

  currentUserId(): string {
    return parseUser(this.options.store.state.get('user'))?.id ?? 'local-analyst'
  }

  /** Who a decision made now is recorded as here: the signed-in person's name and id (the server records its own). */
  currentDecider(): Decider {
    const user = parseUser(this.options.store.state.get('user'))
    if (user === null) return { id: null, name: 'local-analyst' }
    return { id: user.id, name: user.name ?? user.email ?? user.id }
  }

  /**
   * An alert's decision history, which only the server holds (superseded decisions
   * included). Offline or signed out it says so, in words for the detail pane.
   */
  async decisionHistory(anomalyId: string): Promise<DecisionHistoryEntry[]> {
    try {
      return ZDecisionHistory.parse(await this.callServer('query', 'anomalies.history', { id: anomalyId }))
    } catch (thrown) {
      const error = thrown instanceof AppError ? thrown : toAppError(thrown)
      if (error.code === 'UNAVAILABLE' || error.code === 'UNAUTHENTICATED') {
        const why = error.code === 'UNAUTHENTICATED' ? 'sign in to see it' : 'it cannot be reached now'
        throw new AppError('UNAVAILABLE', `The decision history needs the server: ${why}. Decisions made here are kept and synced when it is back.`)
      }
      throw error
    }
  }

  private async run(): Promise<void> {
    const { state } = this.options.store
    const serverUrl = state.get('serverUrl')
    const token = this.readToken()
    if (serverUrl === null || token === null) throw new AppError('UNAUTHENTICATED', 'Sign in to a server before syncing.')
    const client = this.options.createClient({ serverUrl, token })
    try {
      // The token may name another organisation than the cache holds (a Clerk token
      // relayed after the active organisation was switched): settle that before any
      // decision is pushed or page stored.
      this.adopt(await client.me())
      await this.pushAll(client)
      // Case actions after decisions: a close decides alerts the decisions may have named.
      const cases = await pushCaseActions(client, this.options.store, this.now)
      await this.pullAll(client)
      if (cases === 'done') await pullCases(client, this.options.store)
      // The rule set in force for file scoring; a failure keeps the last good copy.
      const orgId = state.get('cacheOrgId')
      if (orgId !== null) this.rulesSync = await syncRulesInForce(client, createRuleSetCache(this.options.store.db), orgId, this.now())
      await this.options.afterPull?.((phase, done, total) => {
        this.progress = { phase, done, total }
      })
      this.lastFailure = null
    } catch (error) {
      this.recordFailure(error)
    }
  }

  private async runPush(): Promise<void> {
    const session = this.signedInSession()
    if (session === null) return
    const client = this.options.createClient(session)
    try {
      // As in a full run: decisions are sent only for the organisation the token names.
      this.adopt(await client.me())
      await this.pushAll(client)
      await pushCaseActions(client, this.options.store, this.now)
      this.lastFailure = null
      this.lastPushedAt = this.now()
    } catch (error) {
      this.recordFailure(error)
    }
  }

  /** What a failed run leaves: queued work released for the next run, the failure in words. */
  private recordFailure(error: unknown): void {
    this.waitingForCache = false
    if (isCacheBusy(error)) {
      // Nothing lost: every stored page kept its cursor, and decisions not yet
      // marked stay queued. The next tick carries on from there.
      this.lastFailure = { kind: 'busy', message: CACHE_WAIT_MESSAGE }
      try {
        this.options.store.outbox.releaseInFlight()
        this.options.store.caseOutbox.releaseInFlight()
      } catch {
        // The cache is still busy; the next run releases them before taking more.
      }
      return
    }
    this.options.store.outbox.releaseInFlight()
    this.options.store.caseOutbox.releaseInFlight()
    this.lastFailure = classifySyncError(error)
  }

  /**
   * Runs a write to the cache; when another connection held it past the busy timeout,
   * says so in the status and tries again a few times before leaving it to the next run.
   */
  private async whenCacheFree<T>(write: () => T): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = write()
        this.waitingForCache = false
        return result
      } catch (error) {
        if (!isCacheBusy(error) || attempt >= CACHE_RETRIES) throw error
        this.waitingForCache = true
        await new Promise((resolve) => setTimeout(resolve, this.options.cacheRetryMs ?? CACHE_RETRY_MS))
      }
    }
  }

  private async pushAll(client: ServerClient): Promise<void> {
    const { outbox } = this.options.store
    const total = outbox.counts().pending
    const sent = new Set<string>()
    let done = 0
    for (;;) {
      const decisions = outbox.takeForPush(MAX_PUSH_DECISIONS)
      if (decisions.length === 0) return
      // A decision the server left unanswered comes back here: stop rather than loop.
      if (decisions.some((d) => sent.has(d.mutationId))) {
        throw new AppError('INTERNAL', 'The server did not answer every pushed decision; they stay queued.')
      }
      this.progress = { phase: 'push', done, total }
      const { results } = await client.push({ decisions })
      await this.whenCacheFree(() => outbox.markOutcomes(results, this.now()))
      outbox.releaseInFlight()
      for (const d of decisions) sent.add(d.mutationId)
      done += decisions.length
    }
  }

  /**
   * Pages are fetched one ahead: while SQLite stores page n, the server is already
   * reading page n+1. The cursor is still saved with each stored page, so a crash
   * or a dropped connection resumes after the last page written, and a prefetched
   * page that was never stored is simply asked for again.
   *
   * Only the first request of a run asks the server to count the account's rows:
   * the progress bar's total is what that count says is not here yet. When that is
   * a large load (a first sync), the table's indexes are set aside until the run
   * ends (store/bulk-load.ts).
   */
  private async pullAll(client: ServerClient): Promise<void> {
    const { store } = this.options
    const cachedAtStart = store.countServerAnomalies()
    const stats: PullStats = { pages: 0, rows: 0, totalMs: 0, waitMs: 0, applyMs: 0, finishMs: 0, requestMs: 0, serverDbMs: 0, decodeMs: 0 }
    this.pullStats = stats
    const started = performance.now()
    let done = 0
    let expected = 0
    let cursor = store.state.get('cursor')
    let pending = client.pull({ cursor, limit: this.pageSize, withTotal: true })
    try {
      for (;;) {
        const waitStart = performance.now()
        const page: PulledPage = await pending
        stats.waitMs += performance.now() - waitStart
        const more = page.hasMore && page.nextCursor !== null && page.nextCursor !== cursor
        if (more) {
          pending = client.pull({ cursor: page.nextCursor, limit: this.pageSize, withTotal: false })
          // Stored below or abandoned with the run; never an unhandled rejection.
          pending.catch(() => {})
        }
        if (done === 0 && page.total !== null) {
          expected = Math.max(page.total - cachedAtStart, 0)
          if (expected >= (this.options.bulkLoadMinRows ?? BULK_LOAD_MIN_ROWS) && page.hasMore) store.bulkLoad.begin()
        }
        const applyStart = performance.now()
        await this.whenCacheFree(() => store.applyPage(page, this.now()))
        stats.applyMs += performance.now() - applyStart
        addTiming(stats, page)
        done += page.anomalies.length
        this.progress = { phase: 'pull', done, total: Math.max(expected, done) }
        if (!page.hasMore) return
        if (!more) throw new AppError('INTERNAL', 'The server said there is more to pull but gave no new cursor.')
        cursor = page.nextCursor
      }
    } finally {
      // Also after a failed run: the analyst works offline with a fully indexed cache.
      const finishStart = performance.now()
      store.bulkLoad.end()
      stats.finishMs = performance.now() - finishStart
      stats.totalMs = performance.now() - started
    }
  }

  private currentState(signedIn: boolean): SyncState {
    if (this.running !== null) return 'syncing'
    if (!signedIn) return 'signed-out'
    if (this.lastFailure === null || this.lastFailure.kind === 'busy') return 'idle'
    return this.lastFailure.kind === 'offline' ? 'offline' : 'error'
  }
}

function addTiming(stats: PullStats, page: PulledPage): void {
  stats.pages += 1
  stats.rows += page.anomalies.length
  stats.requestMs += page.timing?.requestMs ?? 0
  stats.serverDbMs += page.timing?.serverDbMs ?? 0
  stats.decodeMs += page.timing?.decodeMs ?? 0
}

/** The organisation a profile acts in; a server without teams: the person's own account. */
function orgIdOf(user: ServerUser): string {
  return user.org?.id ?? user.id
}

function parseOwner(text: string | null): { id: string; name: string; orgId: string; orgName: string } | null {
  if (text === null) return null
  const parsed = ZOutboxOwner.safeParse(JSON.parse(text))
  return parsed.success ? parsed.data : null
}

const ZOutboxOwner = z.object({ id: z.string(), name: z.string(), orgId: z.string(), orgName: z.string() })

export function toProfile(user: ServerUser): Profile {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    mode: user.mode,
    org: user.org ?? null,
    permissions: user.permissions ?? null,
    organizations: user.organizations ?? [],
  }
}

function parseUser(text: string | null): ReturnType<typeof ZServerUser.parse> | null {
  if (text === null) return null
  const parsed = ZServerUser.safeParse(JSON.parse(text))
  return parsed.success ? parsed.data : null
}
