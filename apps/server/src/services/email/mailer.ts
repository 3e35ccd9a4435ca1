import nodemailer, { type SendMailOptions } from 'nodemailer'
import type { ServerEnv } from '../../env.ts'

/**
 * Outgoing e-mail over SMTP (nodemailer), shared by alert notifications and
 * scheduled reports. Configured by SMTP_* variables; without SMTP_HOST there is no
 * mailer and callers record why nothing was sent.
 */
export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string
  attachments?: { filename: string; content: Buffer | NodeJS.ReadableStream; contentType?: string }[]
}

export interface MailReceipt {
  messageId: string
  /** The SMTP server's final reply, e.g. "250 OK: queued as ...". */
  response: string
  accepted: string[]
  rejected: string[]
}

export interface Mailer {
  send(message: MailMessage): Promise<MailReceipt>
  close(): void
}

export function createMailer(env: ServerEnv): Mailer | null {
  if (env.SMTP_HOST === undefined) return null
  const transport = nodemailer.createTransport({
    host: env.SMTP_HOST,
    port: env.SMTP_PORT,
    secure: env.SMTP_SECURE,
    ...(env.SMTP_USER === undefined ? {} : { auth: { user: env.SMTP_USER, pass: env.SMTP_PASS ?? '' } }),
    // Plain loopback test servers offer no certificate; real relays do and are verified.
    tls: { rejectUnauthorized: env.SMTP_TLS_VERIFY },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  })
  return {
    async send(message) {
      const options: SendMailOptions = { from: env.MAIL_FROM, to: message.to, subject: message.subject, text: message.text }
      if (message.html !== undefined) options.html = message.html
      if (message.attachments !== undefined) {
        options.attachments = message.attachments.map((a) => ({
          filename: a.filename,
          content: a.content as Buffer,
          ...(a.contentType === undefined ? {} : { contentType: a.contentType }),
        }))
      }
      const info = await transport.sendMail(options)
      return {
        messageId: info.messageId,
        response: info.response,
        accepted: info.accepted.map(String),
        rejected: info.rejected.map(String),
      }
    },
    close: () => transport.close(),
  }
}
