import { randomUUID } from 'node:crypto'
import { AppError } from '@anomalyze/shared'
import {
  decodeCursor,
  encodeCursor,
  statusForLabel,
  type TDecisionInput,
  type TPullInput,
  type TPullOutput,
  type TPushOutput,
  type TSyncAnomaly,
} from '@anomalyze/shared'
import { TRPCClientError } from '@trpc/client'
import type { ServerClient, ServerUser } from '../../src/core/sync/server-client.ts'

/** Who a fake client is signed in as. */
export interface FakeUser {
  id: string
  name: string
}
export const ANALYST: FakeUser = { id: 'user_1', name: 'Analyst' }

/** One row of anomalies.history as the fake keeps it. */
export interface FakeHistoryEntry {
  mutationId: string
  label: TDecisionInput['label']
  note: string | null
  decidedBy: string
  decidedById: string | null
  decidedAt: number
  receivedAt: number
  inForce: boolean
  supersededAt: number | null
}

/**
 * An in-memory server that follows the sync contract (v1) to the letter: ordered
 * pages by (updatedAt, id) cursor, mutationId idempotency, and the conflict rule (the
 * first decision stands against another person's decision not based on it, which is
 * kept in the history and answered `conflict`; between one person's decisions the
 * latest decidedAt wins). Tests use it to cut the connection at chosen points; the
 * real tRPC transport is tested separately in server-client.test.ts.
 */
export class FakeSyncServer {
  readonly anomalies = new Map<string, TSyncAnomaly>()
  readonly seenMutations = new Map<string, TDecisionInput>()
  /** anomalies.history, in the order decisions arrived. */
  readonly history = new Map<string, FakeHistoryEntry[]>()
  readonly pullCursors: Array<string | null> = []
  clock = 10_000
  /** Throw (like a dropped connection) on the Nth pull call from now, 1-based. */
  failPullAt: number | null = null
  /** Apply the next push, then lose the answer. */
  loseNextPushAnswer = false
  offline = false
  /** Called on every pull that reaches the server (tests look at the desktop's state there). */
  onPull: (() => void) | null = null
  private pulls = 0

  constructor(anomalies: TSyncAnomaly[]) {
    for (const a of anomalies) this.anomalies.set(a.id, a)
  }

  /** A client signed in as `user` (by default the one analyst most tests need). */
  client(user: FakeUser = ANALYST): ServerClient {
    return {
      pull: async (input) => this.pull(input),
      push: async (input) => this.push(input.decisions, user),
      me: async (): Promise<ServerUser> => {
        this.checkOnline()
        return { id: user.id, email: user === ANALYST ? 'analyst@example.com' : null, name: user.name, mode: 'local' }
      },
      call: async (_type, path, input) => {
        this.checkOnline()
        if (path === 'anomalies.history') {
          const { id } = input as { id: string }
          if (!this.anomalies.has(id)) throw new AppError('NOT_FOUND', `No anomaly with id ${id}`)
          // Newest first by decidedAt, as the server orders it (not by arrival).
          return [...(this.history.get(id) ?? [])].sort((a, b) => b.decidedAt - a.decidedAt || (a.mutationId < b.mutationId ? 1 : -1))
        }
        throw new AppError('NOT_FOUND', `The fake sync server only speaks sync, not ${path}`)
      },
    }
  }

  private checkOnline(): void {
    if (this.offline) throw dropped()
  }

  private pull(input: TPullInput): TPullOutput {
    this.checkOnline()
    this.pulls += 1
    if (this.failPullAt !== null && this.pulls === this.failPullAt) throw dropped()
    this.pullCursors.push(input.cursor)
    this.onPull?.()
    const after = input.cursor === null ? null : decodeCursor(input.cursor)
    const ordered = [...this.anomalies.values()].sort((a, b) => a.updatedAt - b.updatedAt || (a.id < b.id ? -1 : 1))
    const rest = after === null ? ordered : ordered.filter((a) => a.updatedAt > after.updatedAt || (a.updatedAt === after.updatedAt && a.id > after.id))
    const page = rest.slice(0, input.limit ?? 1_000)
    const last = page.at(-1)
    return {
      anomalies: page,
      nextCursor: last === undefined ? input.cursor : encodeCursor(last.updatedAt, last.id),
      hasMore: rest.length > page.length,
      total: input.withTotal === false ? null : this.anomalies.size,
      activeModel: { version: '1.2.0', sha256: 'abc' },
    }
  }

  private push(decisions: TDecisionInput[], user: FakeUser): TPushOutput {
    this.checkOnline()
    const results: TPushOutput['results'] = decisions.map((d) => {
      if (this.seenMutations.has(d.mutationId)) {
        return { mutationId: d.mutationId, outcome: 'duplicate' as const, status: this.anomalies.get(d.anomalyId)?.status ?? null }
      }
      const anomaly = this.anomalies.get(d.anomalyId)
      if (anomaly === undefined) return { mutationId: d.mutationId, outcome: 'rejected' as const, status: null, reason: 'unknown anomaly' }
      this.seenMutations.set(d.mutationId, d)
      const standing = anomaly.latestDecision
      let outcome: 'applied' | 'conflict' | 'superseded' = 'applied'
      if (standing !== null && (d.basedOn ?? null) !== (standing.mutationId ?? null)) {
        if ((standing.decidedById ?? null) !== user.id) outcome = 'conflict'
        else if (standing.decidedAt > d.decidedAt) outcome = 'superseded'
      }
      this.record(d.anomalyId, { ...d, note: d.note ?? null }, user, outcome === 'applied')
      if (outcome === 'conflict' && standing !== null) {
        return { mutationId: d.mutationId, outcome, status: anomaly.status, standing, reason: `${standing.decidedBy} decided this alert first` }
      }
      if (outcome === 'superseded') return { mutationId: d.mutationId, outcome, status: anomaly.status }
      return { mutationId: d.mutationId, outcome, status: this.anomalies.get(d.anomalyId)?.status ?? null }
    })
    if (this.loseNextPushAnswer) {
      this.loseNextPushAnswer = false
      throw dropped()
    }
    return { results }
  }

  /** Keeps a decision in the history; one in force replaces the anomaly's decision and status. */
  private record(
    anomalyId: string,
    d: { mutationId: string; label: TDecisionInput['label']; note: string | null; decidedAt: number },
    user: FakeUser,
    inForce: boolean,
  ): void {
    const anomaly = this.anomalies.get(anomalyId)
    if (anomaly === undefined) throw new Error(`no ${anomalyId}`)
    this.clock += 1
    const entries = this.history.get(anomalyId) ?? []
    if (inForce) {
      for (const e of entries) if (e.inForce) Object.assign(e, { inForce: false, supersededAt: this.clock })
    }
    entries.push({ ...d, decidedBy: user.name, decidedById: user.id, receivedAt: this.clock, inForce, supersededAt: inForce ? null : this.clock })
    this.history.set(anomalyId, entries)
    if (!inForce) return
    const status = statusForLabel(d.label)
    this.anomalies.set(anomalyId, {
      ...anomaly,
      status,
      isFalsePositive: status === 'FALSE_POSITIVE',
      latestDecision: { label: d.label, note: d.note, decidedBy: user.name, decidedAt: d.decidedAt, mutationId: d.mutationId, decidedById: user.id },
      updatedAt: this.clock,
    })
  }

  /** Another analyst decides on the server (in force at once); returns the decision's mutationId. */
  decideElsewhere(anomalyId: string, label: TDecisionInput['label'], decidedAt: number, user: FakeUser = OTHER_ANALYST, note: string | null = null): string {
    const mutationId = randomUUID()
    this.record(anomalyId, { mutationId, label, note, decidedAt }, user, true)
    return mutationId
  }
}

export const OTHER_ANALYST: FakeUser = { id: 'user_2', name: 'Priya Sharma' }

/** What the tRPC client throws when the connection drops: an error with no tRPC body. */
function dropped(): Error {
  return new TRPCClientError('fetch failed')
}
