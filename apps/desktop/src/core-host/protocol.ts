import type { ConsoleConfig } from '../contract/handlers.ts'
import type { CoreError, CoreResult } from '../contract/result.ts'

/**
 * The messages between Electron's main process and the core host (a utility process
 * that owns the SQLite cache and ONNX scoring, so a long call never freezes a window).
 * Pure: either end is any port that posts and receives structured-cloned messages
 * (Electron's parentPort / UtilityProcess, or Node's MessageChannel in tests).
 */
export interface MessageEnd {
  postMessage(message: unknown): void
  /** Calls `listener` with each message's data. */
  onMessage(listener: (message: unknown) => void): void
}

/** What the host needs to create the core: plain values, no Electron objects. */
export interface HostStartOptions {
  dataDir: string
  autoSyncMs: number
  config: ConsoleConfig
  /**
   * Key that seals the session token at rest (base64, 32 bytes), itself kept sealed by
   * the OS keychain in the main process; null where no keychain is available (the token
   * is then protected by file permissions only, as before).
   */
  sessionKey: string | null
}

export type HostRequest =
  | { kind: 'start'; id: number; options: HostStartOptions }
  | { kind: 'call'; id: number; method: string; args: unknown }
  | { kind: 'allow-path'; id: number; path: string; use: 'read' | 'write' }
  | { kind: 'close'; id: number }

export interface HostReply {
  kind: 'reply'
  id: number
  result: CoreResult<unknown>
}

/** The core as the host serves it: method calls by name, paths picked in dialogs, close. */
export interface ServedCore {
  /** The named method's handler, or undefined when the core has no such method. */
  handler(method: string): ((args: unknown) => Promise<CoreResult<unknown>>) | undefined
  allowPath(path: string, use: 'read' | 'write'): void
  close(): Promise<void>
}

function failure(code: CoreError['code'], message: string): CoreResult<unknown> {
  return { error: { code, message } }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * The host's side: creates the core on 'start', answers every request with a reply of
 * the same id (failures as CoreResult errors, never a thrown Error, which loses its
 * fields when cloned), and after 'close' has closed the core, calls `onClosed`.
 */
export function serveCore(end: MessageEnd, start: (options: HostStartOptions) => ServedCore, onClosed: () => void = () => {}): void {
  let core: ServedCore | null = null
  let closed = false
  const reply = (id: number, result: CoreResult<unknown>): void => end.postMessage({ kind: 'reply', id, result } satisfies HostReply)

  async function answer(request: HostRequest): Promise<CoreResult<unknown>> {
    if (request.kind === 'start') {
      if (core !== null || closed) return failure('CONFLICT', 'The core has started already')
      core = start(request.options)
      return { data: null }
    }
    if (core === null || closed) return failure('UNAVAILABLE', closed ? 'The core has closed' : 'The core has not started')
    if (request.kind === 'call') {
      const call = core.handler(request.method)
      return call === undefined ? failure('NOT_FOUND', `No method ${request.method}`) : call(request.args)
    }
    if (request.kind === 'allow-path') {
      core.allowPath(request.path, request.use)
      return { data: null }
    }
    closed = true
    await core.close()
    return { data: null }
  }

  end.onMessage((message) => {
    if (!isHostRequest(message)) return
    void answer(message)
      .then(
        (result) => reply(message.id, result),
        (error: unknown) => reply(message.id, failure('INTERNAL', messageOf(error))),
      )
      .then(() => {
        if (message.kind === 'close' && closed) onClosed()
      })
  })
}

function isHostRequest(message: unknown): message is HostRequest {
  if (typeof message !== 'object' || message === null) return false
  const { kind, id } = message as { kind?: unknown; id?: unknown }
  return typeof id === 'number' && (kind === 'start' || kind === 'call' || kind === 'allow-path' || kind === 'close')
}

/** The main process's side: each request a promise of the host's reply. */
export interface CoreHostClient {
  start(options: HostStartOptions): Promise<CoreResult<unknown>>
  call(method: string, args: unknown): Promise<CoreResult<unknown>>
  allowPath(path: string, use: 'read' | 'write'): Promise<CoreResult<unknown>>
  close(): Promise<CoreResult<unknown>>
  /** The host is gone (it exited): every waiting and later request fails with `reason`. */
  fail(reason: string): void
}

export function connectCoreHost(end: MessageEnd): CoreHostClient {
  const waiting = new Map<number, (result: CoreResult<unknown>) => void>()
  let nextId = 0
  let gone: string | null = null
  end.onMessage((message) => {
    const { kind, id, result } = message as Partial<HostReply>
    if (kind !== 'reply' || typeof id !== 'number' || result === undefined) return
    const resolve = waiting.get(id)
    waiting.delete(id)
    resolve?.(result)
  })
  // Requests carry ids; the union is spread over its members so each keeps its fields.
  type Unsent<R> = R extends HostRequest ? Omit<R, 'id'> : never
  const send = (request: Unsent<HostRequest>): Promise<CoreResult<unknown>> =>
    new Promise((resolve) => {
      if (gone !== null) return resolve(failure('UNAVAILABLE', gone))
      const id = nextId++
      waiting.set(id, resolve)
      end.postMessage({ ...request, id })
    })
  return {
    start: (options) => send({ kind: 'start', options }),
    call: (method, args) => send({ kind: 'call', method, args }),
    allowPath: (path, use) => send({ kind: 'allow-path', path, use }),
    close: () => send({ kind: 'close' }),
    fail(reason) {
      gone = reason
      for (const resolve of waiting.values()) resolve(failure('UNAVAILABLE', reason))
      waiting.clear()
    },
  }
}
