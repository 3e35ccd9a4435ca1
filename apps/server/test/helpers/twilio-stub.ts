import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A stand-in for api.twilio.com on 127.0.0.1 that speaks its REST wire format:
 * form-encoded POSTs to /2010-04-01/Accounts/{Sid}/Messages.json and Calls.json with
 * HTTP Basic auth (SID:token), answered with Twilio-shaped JSON (201 with a resource,
 * or Twilio's error body). Tests read what the SDK really sent.
 */
export interface StubRequest {
  method: string
  path: string
  authorization: string | undefined
  contentType: string | undefined
  form: Record<string, string>
}

export interface TwilioStub {
  url: string
  requests: StubRequest[]
  /** The next `count` requests get this Twilio error (e.g. 503, code 20503). */
  failNext(count: number, status?: number, message?: string): void
  close(): Promise<void>
}

export async function startTwilioStub(accountSid: string, authToken: string): Promise<TwilioStub> {
  const requests: StubRequest[] = []
  let failures: { left: number; status: number; message: string } = { left: 0, status: 503, message: '' }
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`

  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const form = Object.fromEntries(new URLSearchParams(body))
      const path = req.url ?? ''
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, contentType: req.headers['content-type'], form })
      const reply = (status: number, json: object): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json))
      }
      const error = (status: number, code: number, message: string): void =>
        reply(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status })
      if (req.headers.authorization !== expectedAuth) return error(401, 20003, 'Authenticate')
      if (failures.left > 0) {
        failures.left -= 1
        return error(failures.status, 20500, failures.message)
      }
      const match = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(path)
      if (req.method !== 'POST' || match === null || match[1] !== accountSid) return error(404, 20404, 'The requested resource was not found')
      const now = new Date().toUTCString()
      const common = { account_sid: accountSid, to: form.To, from: form.From, date_created: now, date_updated: now, api_version: '2010-04-01' }
      if (match[2] === 'Messages') {
        const sid = `SM${randomBytes(16).toString('hex')}`
        return reply(201, {
          ...common,
          sid,
          body: form.Body,
          status: 'queued',
          num_segments: '1',
          direction: 'outbound-api',
          uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
        })
      }
      const sid = `CA${randomBytes(16).toString('hex')}`
      return reply(201, { ...common, sid, status: 'queued', direction: 'outbound-api', uri: `/2010-04-01/Accounts/${accountSid}/Calls/${sid}.json` })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, status = 503, message = 'Service Unavailable') {
      failures = { left: count, status, message }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
