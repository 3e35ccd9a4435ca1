import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { QueueHead, QueueSnapshot } from '../contract/queue.ts'
import type { CoreResult } from '../contract/result.ts'
import { createCore, type Core } from '../core/create-core.ts'
import { makeAnomaly, seedAnomalies } from '../../test/support/fixtures.ts'
import { writeGeneratedCsv } from '../../test/support/generated-csv.ts'
import { coreFiles, LAUNCH_FILE, SESSION_COOKIE, startWebServer, writeLaunchFile } from './web-server.ts'

let dir: string
let core: Core
let server: Server
let url: string
let launchUrl: string
/** `anomalyze_console=<session>`, from exchanging the launch key in beforeAll. */
let cookie: string
const calls: Array<{ method: string; ms: number; bytes: number }> = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anomalyze-web-server-test-'))
  core = createCore({ dataDir: join(dir, 'data') })
  seedAnomalies(
    core.store,
    Array.from({ length: 30 }, (_, i) => makeAnomaly(i)),
  )
  ;({ server, url, launchUrl } = await startWebServer({
    handlers: core.handlers,
    files: coreFiles(core),
    rendererDir: null,
    port: 0,
    onCall: (call) => calls.push(call),
  }))
  cookie = await exchange(launchUrl)
})

/** Opens the launch link like a browser would; returns the session cookie it sets. */
async function exchange(link: string): Promise<string> {
  const response = await fetch(link, { redirect: 'manual' })
  expect(response.status).toBe(303)
  const setCookie = response.headers.get('set-cookie') ?? ''
  const match = new RegExp(`^(${SESSION_COOKIE}=[^;]+)`).exec(setCookie)
  if (match?.[1] === undefined) throw new Error(`no session cookie in ${setCookie}`)
  return match[1]
}

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await core.close()
  rmSync(dir, { recursive: true, force: true })
})

async function post<T>(method: string, args: unknown): Promise<{ body: CoreResult<T>; timing: string | null }> {
  const response = await fetch(`${url}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(args) })
  return { body: (await response.json()) as CoreResult<T>, timing: response.headers.get('server-timing') }
}

describe('console web server: the queue API', () => {
  const query = { filters: { statuses: ['OPEN' as const] }, sort: 'severity' as const }

  it('answers the head of a list: the count, the leading keys of the full ordering and their rows', async () => {
    core.store.outbox.record({ anomalyIds: ['an_00004'], label: 'CONFIRMED_FRAUD' }, 'me', 5)
    const snapshot = (await post<QueueSnapshot>('queue.snapshot', query)).body.data
    const head = (await post<QueueHead>('queue.head', { ...query, size: 7 })).body.data
    expect(snapshot?.total).toBe(29)
    expect(head?.total).toBe(29)
    expect(head?.keys).toEqual(snapshot?.keys.slice(0, 7))
    expect(head?.rows.map((r) => r.key)).toEqual(head?.keys)
    expect(head?.rows.every((r) => r.status === 'OPEN')).toBe(true)
  })

  it('refuses a head over 1,000 rows, naming the field', async () => {
    const { body } = await post<QueueHead>('queue.head', { ...query, size: 1_001 })
    expect(body.error?.code).toBe('BAD_INPUT')
    expect(JSON.stringify(body.error)).toContain('size')
  })

  it('times every call: a Server-Timing header for the page, and the onCall log', async () => {
    calls.length = 0
    const { timing, body } = await post<unknown>('queue.rows', { keys: [1, 2, 3] })
    expect(timing).toMatch(/^core;dur=\d+(\.\d)?$/)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ method: 'queue.rows', bytes: JSON.stringify(body).length })
  })
})

/** A raw GET (fetch would normalise a malformed path before sending it). */
function rawGet(path: string): Promise<number> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path, method: 'GET', headers: { cookie } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
      .on('error', reject)
      .end()
  })
}

describe('console web server: who may call it', () => {
  const queueHead = (headers: Record<string, string>): Promise<Response> =>
    fetch(`${url}/api/queue.head`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ filters: {}, sort: 'time', size: 1 }),
    })

  it('answers 401 UNAUTHENTICATED without the session cookie, or with a forged one', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { cookie: `${SESSION_COOKIE}=forged` },
      { cookie: `${SESSION_COOKIE}=${'A'.repeat(43)}` },
      { cookie: 'other=1' },
    ]) {
      const response = await queueHead(headers)
      expect(response.status).toBe(401)
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED')
    }
    // The minted-key attack of the probe: server.call is as closed as the rest.
    const serverCall = await fetch(`${url}/api/server.call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'mutation', path: 'apiKeys.create', input: { name: 'x', scopes: ['ingest:write'] } }),
    })
    expect(serverCall.status).toBe(401)
    // And with the cookie (among others) it answers.
    const ok = await queueHead({ cookie: `theme=dark; ${cookie}` })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff')
    expect(ok.headers.get('cache-control')).toBe('no-store')
  })

  it('keeps uploads and downloads behind the cookie too', async () => {
    const upload = await fetch(`${url}/upload?name=x.csv`, { method: 'POST', headers: { 'x-anomalyze-upload': '1' }, body: 'a,b\n1,2\n' })
    expect(upload.status).toBe(401)
    expect((await fetch(`${url}/download/batches/local_x.csv`)).status).toBe(401)
  })

  it('exchanges the launch key once: a second use and a wrong key get 401', async () => {
    const fresh = await startWebServer({ handlers: core.handlers, rendererDir: null, port: 0 })
    try {
      expect(fresh.launchUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/launch\?key=[A-Za-z0-9_-]{43}$/)
      const wrong = await fetch(fresh.launchUrl.replace(/key=.*/, `key=${'x'.repeat(43)}`), { redirect: 'manual' })
      expect(wrong.status).toBe(401)
      expect(wrong.headers.get('set-cookie')).toBeNull()
      expect((await fetch(`${fresh.url}/launch`, { redirect: 'manual' })).status).toBe(401)

      const first = await fetch(fresh.launchUrl, { redirect: 'manual' })
      expect(first.status).toBe(303)
      expect(first.headers.get('location')).toBe('/')
      const setCookie = first.headers.get('set-cookie') ?? ''
      expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/$`))
      // The session id is not the launch key.
      expect(setCookie).not.toContain(new URL(fresh.launchUrl).searchParams.get('key'))

      const second = await fetch(fresh.launchUrl, { redirect: 'manual' })
      expect(second.status).toBe(401)
      expect(second.headers.get('set-cookie')).toBeNull()
      expect(await second.text()).toContain('Restart the console')
      // A cookie of another console (this test file's) is no session here.
      const elsewhere = await fetch(`${fresh.url}/api/sync.status`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' })
      expect(elsewhere.status).toBe(401)
      const mine = setCookie.split(';')[0] ?? ''
      const here = await fetch(`${fresh.url}/api/sync.status`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: mine }, body: '{}' })
      expect(here.status).toBe(200)
      // The browser that is in may click the link again: straight to the console.
      const again = await fetch(fresh.launchUrl, { redirect: 'manual', headers: { cookie: mine } })
      expect(again.status).toBe(303)
      expect(again.headers.get('set-cookie')).toBeNull()
    } finally {
      await new Promise((resolve) => fresh.server.close(resolve))
    }
  })

  it('serves the page only to a signed-in browser; others get the "open the launch link" page', async () => {
    const rendererDir = join(dir, 'renderer')
    mkdirSync(join(rendererDir, 'assets'), { recursive: true })
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>app</title><div id="root"></div>')
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
    const app = await startWebServer({ handlers: core.handlers, rendererDir, port: 0 })
    try {
      const page = await fetch(`${app.url}/`)
      expect(page.status).toBe(401)
      const text = await page.text()
      expect(text).toContain('Open the launch link printed in the terminal')
      expect(text).not.toContain('id="root"')
      expect((await fetch(`${app.url}/index.html`)).status).toBe(401)
      expect((await fetch(`${app.url}/anomalies/x`)).status).toBe(401)
      // Scripts hold no data: they load without the cookie.
      expect((await fetch(`${app.url}/assets/app.js`)).status).toBe(200)
      const appCookie = await exchange(app.launchUrl)
      const signedIn = await fetch(`${app.url}/`, { headers: { cookie: appCookie } })
      expect(signedIn.status).toBe(200)
      expect(await signedIn.text()).toContain('id="root"')
    } finally {
      await new Promise((resolve) => app.server.close(resolve))
    }
  })

  it('answers a malformed URI with 400, not 500', async () => {
    expect(await rawGet('/%E0%A4%A')).toBe(400)
    expect(await rawGet('/launch%ZZ')).toBe(400)
  })

  it('writes the launch URL to an owner-only file in the data dir', () => {
    const path = writeLaunchFile(join(dir, 'data'), { url, launchUrl })
    expect(path).toBe(join(dir, 'data', LAUNCH_FILE))
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ url, launchUrl })
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600)
  })
})

describe('console web server: files only where the analyst put them', () => {
  it('refuses scoring.inspect (and score) of a path nobody picked, naming it', async () => {
    for (const path of ['/etc/passwd', '/etc/shadow', join(dir, 'data', 'anomalyze-cache.db')]) {
      const { body } = await post<unknown>('scoring.inspect', { source: { path } })
      expect(body.error?.code).toBe('FORBIDDEN')
      expect(body.error?.message).toContain(path)
    }
    const start = await post<unknown>('scoring.start', { source: { path: '/etc/passwd' }, mapping: {} })
    expect(start.body.error?.code).toBe('FORBIDDEN')
    // A path picked in the native dialog (Electron's main registers it) is read.
    const picked = join(dir, 'picked.csv')
    writeGeneratedCsv(picked, { rows: 20 })
    expect((await post<unknown>('scoring.inspect', { source: { path: picked } })).body.error?.code).toBe('FORBIDDEN')
    core.allowPath(picked, 'read')
    expect((await post<{ fileName: string }>('scoring.inspect', { source: { path: picked } })).body.data?.fileName).toBe('picked.csv')
    // Read permission is not write permission.
    expect((await post<unknown>('scoring.export', { batchId: 'local_00000000-0000-0000-0000-000000000000', path: picked })).body.error?.code).toBe('FORBIDDEN')
  })

  it('writes scoring.export only into the exports folder or a save-dialog path, never over a file unasked', async () => {
    const source = join(dir, 'to-score.csv')
    writeGeneratedCsv(source, { rows: 50 })
    core.allowPath(source, 'read')
    const inspection = (await post<{ mapping: Record<string, number> }>('scoring.inspect', { source: { path: source } })).body.data
    const started = (await post<{ jobId: string }>('scoring.start', { source: { path: source }, mapping: inspection?.mapping })).body.data
    const job = await core.scoring.settled(started?.jobId ?? '')
    expect(job.state).toBe('done')

    for (const path of ['/tmp/x.sh', join(dir, 'x.csv'), join(dir, 'data', 'exports', '..', 'anomalyze-cache.db')]) {
      const refused = await post<unknown>('scoring.export', { batchId: job.batchId, path })
      expect(refused.body.error?.code).toBe('FORBIDDEN')
      expect(refused.body.error?.message).toContain(path)
    }
    expect(existsSync('/tmp/x.sh') && statSync('/tmp/x.sh').mtimeMs > Date.now() - 60_000).toBe(false)
    for (const fileName of ['../x.sh', '/tmp/x.sh', 'a/b.csv', 'a\\b.csv', '..', '.hidden.csv', '']) {
      const refused = await post<unknown>('scoring.export', { batchId: job.batchId, fileName })
      expect(refused.body.error?.code).toBe('BAD_INPUT')
    }

    const exportsDir = join(dir, 'data', 'exports')
    const saved = await post<{ path: string; rows: number }>('scoring.export', { batchId: job.batchId, fileName: 'march scored' })
    expect(saved.body.data).toEqual({ path: join(exportsDir, 'march scored.csv'), rows: 50 })
    const again = await post<unknown>('scoring.export', { batchId: job.batchId, fileName: 'march scored.csv' })
    expect(again.body.error?.code).toBe('CONFLICT')
    expect(again.body.error?.message).toContain('already exists')
    const replaced = await post<{ rows: number }>('scoring.export', { batchId: job.batchId, fileName: 'march scored.csv', overwrite: true })
    expect(replaced.body.data?.rows).toBe(50)
    // A path inside the exports folder is the same as its name (no overwrite unasked).
    expect((await post<unknown>('scoring.export', { batchId: job.batchId, path: join(exportsDir, 'march scored.csv') })).body.error?.code).toBe('CONFLICT')

    // A save-dialog pick may be written (the dialog asked about replacing it).
    const chosen = join(dir, 'chosen.csv')
    writeFileSync(chosen, 'old')
    core.allowPath(chosen, 'write')
    expect((await post<{ rows: number }>('scoring.export', { batchId: job.batchId, path: chosen })).body.data?.rows).toBe(50)
    if (process.platform !== 'win32') expect(statSync(chosen).mode & 0o777).toBe(0o600)
  })

  it('creates its folders 0700 and its files 0600 (cache, uploads, scored rows, exports)', async () => {
    if (process.platform === 'win32') return
    const data = join(dir, 'data')
    const upload = await fetch(`${url}/upload?name=u.csv`, { method: 'POST', headers: { 'x-anomalyze-upload': '1', cookie }, body: 'a,b\n1,2\n' })
    const uploadId = ((await upload.json()) as { data: { uploadId: string } }).data.uploadId
    const dirs = ['', 'uploads', 'exports', 'models', 'scored-rows'].map((d) => join(data, d))
    for (const d of dirs) expect([d, (statSync(d).mode & 0o777).toString(8)]).toEqual([d, '700'])
    const files = [
      join(data, 'anomalyze-cache.db'),
      join(data, 'anomalyze-cache.db-wal'),
      join(data, 'anomalyze-cache.db-shm'),
      join(data, 'uploads', `${uploadId}.csv`),
      ...readdirSync(join(data, 'scored-rows')).map((f) => join(data, 'scored-rows', f)),
      ...readdirSync(join(data, 'exports')).map((f) => join(data, 'exports', f)),
    ]
    expect(files.length).toBeGreaterThanOrEqual(6)
    for (const f of files) expect([f, (statSync(f).mode & 0o777).toString(8)]).toEqual([f, '600'])
  })
})
