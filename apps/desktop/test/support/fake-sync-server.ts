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

/**
 * An in-memory server that follows the sync contract (v1) to the letter: ordered
 * pages by (updatedAt, id) cursor, mutationId idempotency, latest-decidedAt-wins.
 * Tests use it to cut the connection at chosen points; the real tRPC transport is
 * tested separately in server-client.test.ts.
 */
export class FakeSyncServer {
  readonly anomalies = new Map<string, TSyncAnomaly>()
  readonly seenMutations = new Map<string, TDecisionInput>()
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

  client(): ServerClient {
    return {
      pull: async (input) => this.pull(input),
      push: async (input) => this.push(input.decisions),
      me: async (): Promise<ServerUser> => {
        this.checkOnline()
        return { id: 'user_1', email: 'analyst@example.com', name: 'Analyst', mode: 'local' }
      },
      call: async (_type, path) => {
        this.checkOnline()
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

  private push(decisions: TDecisionInput[]): TPushOutput {
    this.checkOnline()
    const results = decisions.map((d) => {
      if (this.seenMutations.has(d.mutationId)) {
        return { mutationId: d.mutationId, outcome: 'duplicate' as const, status: this.anomalies.get(d.anomalyId)?.status ?? null }
      }
      const anomaly = this.anomalies.get(d.anomalyId)
      if (anomaly === undefined) return { mutationId: d.mutationId, outcome: 'rejected' as const, status: null, reason: 'unknown anomaly' }
      this.seenMutations.set(d.mutationId, d)
      if (anomaly.latestDecision !== null && anomaly.latestDecision.decidedAt > d.decidedAt) {
        return { mutationId: d.mutationId, outcome: 'superseded' as const, status: anomaly.status }
      }
      this.clock += 1
      const status = statusForLabel(d.label)
      this.anomalies.set(d.anomalyId, {
        ...anomaly,
        status,
        isFalsePositive: status === 'FALSE_POSITIVE',
        latestDecision: { label: d.label, note: d.note ?? null, decidedBy: 'user_1', decidedAt: d.decidedAt },
        updatedAt: this.clock,
      })
      return { mutationId: d.mutationId, outcome: 'applied' as const, status }
    })
    if (this.loseNextPushAnswer) {
      this.loseNextPushAnswer = false
      throw dropped()
    }
    return { results }
  }

  /** Another analyst decides on the server. */
  decideElsewhere(anomalyId: string, label: TDecisionInput['label'], decidedAt: number): void {
    const anomaly = this.anomalies.get(anomalyId)
    if (anomaly === undefined) throw new Error(`no ${anomalyId}`)
    this.clock += 1
    this.anomalies.set(anomalyId, {
      ...anomaly,
      status: statusForLabel(label),
      latestDecision: { label, note: null, decidedBy: 'user_2', decidedAt },
      updatedAt: this.clock,
    })
  }
}

/** What the tRPC client throws when the connection drops: an error with no tRPC body. */
function dropped(): Error {
  return new TRPCClientError('fetch failed')
}
