import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type fc from 'fast-check'
import { startApp, type RunningApp } from '../../src/app/start-app.ts'
import { loadEnv } from '../../src/env.ts'
import { entitlementsOfPlan } from '../../src/services/billing/entitlements.ts'
import { DEFAULT_PLANS } from '../../src/services/billing/plans.ts'
import { testLogger } from '../helpers/silent-logger.ts'
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts'

/**
 * The fuzz suites' harness: the real server (startApp: Fastify, tRPC, pg-boss, local
 * auth) listening on 127.0.0.1 over a fresh clone of the migrated test database.
 * Requests go over real HTTP (fetch) to that loopback port only.
 */
export interface FuzzServer {
  app: RunningApp
  database: TestDatabase
  url: string
  /** The local analyst's session token (scopes: all). */
  token: string
  userId: string
  /** The organisation the token acts in: the local analyst's own workspace. */
  orgId: string
  stop(): Promise<void>
}

export async function startFuzzServer(env: Record<string, string> = {}): Promise<FuzzServer> {
  const database = await createTestDatabase()
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'anomalyze-fuzz-'))
  const app = await startApp(loadEnv({ DATABASE_URL: database.url, ANOMALYZE_DATA_DIR: dataDir, PORT: '0', ...env }), testLogger)
  const token = app.localToken as string
  const me = await call(app.url, 'GET', '/trpc/me.get', { token })
  const { id: userId, org } = (me.json as { result: { data: { id: string; org: { id: string } } } }).result.data
  return {
    app,
    database,
    url: app.url,
    token,
    userId,
    orgId: org.id,
    async stop() {
      await app.stop()
      await database.drop()
    },
  }
}

/** Limits out of the way: the fuzz runs make hundreds of API-key calls a minute. */
export async function generousPlan(server: FuzzServer): Promise<void> {
  const business = DEFAULT_PLANS[2]
  const features = entitlementsOfPlan({ ...business, rateLimitPerMinute: 1_000_000, monthlyTxQuota: 1_000_000_000, maxApiKeys: 100 })
  await server.app.db.subscription.upsert({
    where: { orgId: server.orgId },
    create: { orgId: server.orgId, planId: business.id, status: 'ACTIVE', features },
    update: { features },
  })
}

export async function createApiKey(server: FuzzServer, scopes: string[]): Promise<string> {
  const response = await call(server.url, 'POST', '/trpc/apiKeys.create', { token: server.token, json: { name: `fuzz ${scopes.join(' ')}`, scopes } })
  if (response.status !== 200) throw new Error(`apiKeys.create answered ${response.status}: ${response.text}`)
  return (response.json as { result: { data: { secret: string } } }).result.data.secret
}

export interface Answer {
  status: number
  text: string
  /** The parsed body, or PARSE_FAILED. */
  json: unknown
  contentType: string | null
}

export const PARSE_FAILED = Symbol('body is not JSON')

export async function call(
  base: string,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  options: { token?: string; json?: unknown; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) }
  let body: string | Buffer | undefined
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.body !== undefined) body = options.body
  Object.assign(headers, options.headers)
  const response = await fetch(`${base}${pathAndQuery}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
  })
  const text = await response.text()
  let json: unknown = PARSE_FAILED
  try {
    json = JSON.parse(text)
  } catch {
    json = PARSE_FAILED
  }
  return { status: response.status, text, json, contentType: response.headers.get('content-type') }
}

/**
 * What a response body must never show a client: source paths, stack lines, the ORM's
 * name (Prisma's messages quote statements and code). Null when clean.
 */
export function leakIn(text: string): string | null {
  if (text.includes('/work/')) return 'a source path (/work/)'
  if (/node_modules/.test(text)) return 'a node_modules path'
  if (/\bat\s+(?:async\s+)?[^\s()]*\s*\(?(?:file:|node:|\/)[^)\n]*:\d+:\d+/.test(text)) return 'a stack line'
  if (/prisma/i.test(text)) return 'the word prisma'
  return null
}

/** Throws (failing the property) with the status and a bounded slice of the body. */
export function fail(what: string, answer: Pick<Answer, 'status' | 'text'>): never {
  throw new Error(`${what}: HTTP ${answer.status} ${answer.text.slice(0, 600)}`)
}

export function expectNo5xxNoLeak(answer: Answer, what: string): void {
  if (answer.status >= 500) fail(`${what} answered a 5xx`, answer)
  const leak = leakIn(answer.text)
  if (leak !== null) fail(`${what} leaked ${leak}`, answer)
}

/**
 * Bounds of every property: FUZZ_RUNS_SCALE multiplies the runs (e.g. 0.2 for a quick
 * look, 5 for a long soak); time limits keep the suite within ~90 s on 2 slow cores.
 * No fixed seed: fast-check prints the seed and path of any failure, to replay with
 * `FUZZ_SEED=<seed> FUZZ_PATH=<path>`. `examples`: counterexamples found before,
 * run first on every run.
 */
export function fuzzParams<T>(numRuns: number, timeLimitMs: number, examples: T[] = []): fc.Parameters<T> {
  const scale = Number(process.env.FUZZ_RUNS_SCALE ?? '1')
  const seed = process.env.FUZZ_SEED
  const replayPath = process.env.FUZZ_PATH
  return {
    numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
    interruptAfterTimeLimit: timeLimitMs * (Number.isFinite(scale) && scale > 1 ? scale : 1),
    markInterruptAsFailure: false,
    // Minimal counterexamples found earlier run first, every time (regressions).
    ...(examples.length > 0 ? { examples } : {}),
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(replayPath === undefined ? {} : { path: replayPath }),
  }
}

/** Counts what a property saw (statuses, outcomes), printed once at the end: evidence that the runs reached each path. */
export class Tally {
  private readonly counts = new Map<string, number>()
  constructor(readonly name: string) {}
  note(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
  }
  print(): void {
    const lines = [...this.counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`)
    console.info(`[fuzz] ${this.name}\n${lines.join('\n')}`)
  }
}
