import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

/**
 * A real SMTP server on 127.0.0.1 that keeps every message it accepts, so tests
 * check what nodemailer really sent (envelope, headers, both MIME parts).
 */
export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
  subject: string
  /** The raw message with quoted-printable soft breaks and escapes undone. */
  decoded: string
}

export interface SmtpSink {
  host: string
  port: number
  messages: ReceivedMail[]
  /** The next `count` messages are refused with this SMTP reply. */
  refuseNext(count: number, responseCode?: number, message?: string): void
  close(): Promise<void>
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ReceivedMail[] = []
  let refusals = { left: 0, responseCode: 451, message: '' }
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        if (refusals.left > 0) {
          refusals.left -= 1
          const error = Object.assign(new Error(refusals.message), { responseCode: refusals.responseCode })
          return callback(error)
        }
        const raw = Buffer.concat(chunks).toString('utf8')
        const unfolded = raw.replace(/\r\n[ \t]+/g, ' ')
        messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: /^Subject: (.*)$/m.exec(unfolded)?.[1]?.trim() ?? '',
          decoded: decodeQuotedPrintable(raw),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    host: '127.0.0.1',
    port,
    messages,
    refuseNext(count, responseCode = 451, message = 'Temporary local problem, try again') {
      refusals = { left: count, responseCode, message }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}
