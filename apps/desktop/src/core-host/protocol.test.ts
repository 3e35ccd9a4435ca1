import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import type { CoreResult } from '../contract/result.ts'
import { connectCoreHost, serveCore, type HostStartOptions, type MessageEnd, type ServedCore } from './protocol.ts'
import { sealedTokenProtector } from './sealed-token.ts'

const OPTIONS: HostStartOptions = { dataDir: '/tmp/unused', autoSyncMs: 0, config: { clerkPublishableKey: null, defaultServerUrl: null }, sessionKey: null }

const ports: MessagePort[] = []
afterEach(() => {
  for (const port of ports.splice(0)) port.close()
})

function endOf(port: MessagePort): MessageEnd {
  ports.push(port)
  return { postMessage: (message) => port.postMessage(message), onMessage: (listener) => port.on('message', listener) }
}

/** A fake core: 'echo' answers its args, 'boom' throws, 'slow' waits for close to be asked. */
function fakeCore(): ServedCore & { allowed: string[]; closed: boolean } {
  const handlers: Record<string, (args: unknown) => Promise<CoreResult<unknown>>> = {
    echo: async (args) => ({ data: { args } }),
    refuse: async () => ({ error: { code: 'BAD_INPUT', message: 'no' } }),
    boom: async () => {
      throw new Error('the cache is locked')
    },
  }
  const core = {
    allowed: [] as string[],
    closed: false,
    handler: (method: string) => handlers[method],
    allowPath: (path: string, use: 'read' | 'write') => void core.allowed.push(`${use}:${path}`),
    close: async () => {
      core.closed = true
    },
  }
  return core
}

function pair(): { client: ReturnType<typeof connectCoreHost>; core: ReturnType<typeof fakeCore>; closed: Promise<void>; started: HostStartOptions[] } {
  const channel = new MessageChannel()
  const core = fakeCore()
  const started: HostStartOptions[] = []
  let onClosed = (): void => {}
  const closed = new Promise<void>((resolve) => (onClosed = resolve))
  serveCore(endOf(channel.port1), (options) => (started.push(options), core), onClosed)
  return { client: connectCoreHost(endOf(channel.port2)), core, closed, started }
}

describe('core host protocol', () => {
  it('starts the core with the options sent, then forwards calls and their results', async () => {
    const { client, started } = pair()
    expect(await client.start(OPTIONS)).toEqual({ data: null })
    expect(started).toEqual([OPTIONS])
    const [a, b] = await Promise.all([client.call('echo', { n: 1 }), client.call('echo', { n: 2 })])
    expect(a).toEqual({ data: { args: { n: 1 } } })
    expect(b).toEqual({ data: { args: { n: 2 } } })
    expect(await client.call('refuse', {})).toEqual({ error: { code: 'BAD_INPUT', message: 'no' } })
  })

  it('answers a thrown error, an unknown method and a call before start as CoreResult errors', async () => {
    const { client } = pair()
    expect(await client.call('echo', {})).toEqual({ error: { code: 'UNAVAILABLE', message: 'The core has not started' } })
    await client.start(OPTIONS)
    expect(await client.call('boom', {})).toEqual({ error: { code: 'INTERNAL', message: 'the cache is locked' } })
    expect(await client.call('nope', {})).toEqual({ error: { code: 'NOT_FOUND', message: 'No method nope' } })
    expect((await client.start(OPTIONS)).error?.code).toBe('CONFLICT')
  })

  it('forwards dialog picks to allowPath', async () => {
    const { client, core } = pair()
    await client.start(OPTIONS)
    expect(await client.allowPath('/home/a/march.csv', 'read')).toEqual({ data: null })
    await client.allowPath('/home/a/out.csv', 'write')
    expect(core.allowed).toEqual(['read:/home/a/march.csv', 'write:/home/a/out.csv'])
  })

  it('closes the core, then the host; later calls fail as unavailable', async () => {
    const { client, core, closed } = pair()
    await client.start(OPTIONS)
    expect(await client.close()).toEqual({ data: null })
    expect(core.closed).toBe(true)
    await closed
    expect((await client.call('echo', {})).error?.code).toBe('UNAVAILABLE')
  })

  it('fails waiting and later calls once the host process is gone', async () => {
    const channel = new MessageChannel()
    const client = connectCoreHost(endOf(channel.port2))
    ports.push(channel.port1) // nobody serves: the call waits until the host is declared gone
    const waiting = client.call('echo', {})
    client.fail('The core stopped (exit code 1)')
    expect(await waiting).toEqual({ error: { code: 'UNAVAILABLE', message: 'The core stopped (exit code 1)' } })
    expect((await client.call('echo', {})).error?.code).toBe('UNAVAILABLE')
  })
})

describe('sealed session token', () => {
  it('round-trips under its key, and reads as signed out under another', () => {
    const protector = sealedTokenProtector(Buffer.alloc(32, 7))
    const stored = protector.protect('tok_secret')
    expect(stored.startsWith('keychain:')).toBe(true)
    expect(stored).not.toContain('tok_secret')
    expect(protector.reveal(stored)).toBe('tok_secret')
    expect(() => sealedTokenProtector(Buffer.alloc(32, 8)).reveal(stored)).toThrow(/Sign in again/)
  })
})
