import twilio from 'twilio'

/**
 * The words of an alert, per channel, for one anomaly or a folded burst. Pure: links
 * and URLs come in as arguments, so the same text is tested without servers.
 */
export interface AlertAnomaly {
  id: string
  severity: string
  score: number
  explanation: string
  ruleViolations: string[]
  txId: string
  amount: string
  currency: string
  merchantId: string
  accountId: string
}

/** An anomaly row with its transaction, as both the alert and the digest jobs read it. */
export function toAlertAnomaly(row: {
  id: string
  severity: string
  score: number
  explanation: string
  ruleViolations: string[]
  transaction: { txId: string; amount: { toFixed(digits: number): string }; currency: string; merchantId: string; accountId: string }
}): AlertAnomaly {
  return {
    id: row.id,
    severity: row.severity,
    score: row.score,
    explanation: row.explanation,
    ruleViolations: row.ruleViolations,
    txId: row.transaction.txId,
    amount: row.transaction.amount.toFixed(2),
    currency: row.transaction.currency,
    merchantId: row.transaction.merchantId,
    accountId: row.transaction.accountId,
  }
}

export interface AlertLinks {
  /** Opens the anomaly in the desktop console. */
  deepLink: (anomalyId: string) => string
  /** The same anomaly through the server's public URL. */
  webLink: (anomalyId: string) => string
}

export interface EmailContent {
  subject: string
  text: string
  html: string
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

function oneLine(a: AlertAnomaly): string {
  return `${a.severity} anomaly: ${a.currency} ${a.amount} at ${a.merchantId} (transaction ${a.txId}, account ${a.accountId})`
}

export function composeEmail(anomalies: AlertAnomaly[], links: AlertLinks): EmailContent {
  const first = anomalies[0]
  if (first === undefined) throw new Error('composeEmail needs at least one anomaly')
  const summary = anomalies.length > 1
  const subject = summary ? `[Anomalyze] ${anomalies.length} anomalies in a burst (highest: ${highest(anomalies)})` : `[Anomalyze] ${oneLine(first)}`
  const intro = summary
    ? `${anomalies.length} anomalies arrived faster than your hourly alert limit, so they come together in this one message.`
    : first.explanation
  const lines = anomalies.map(
    (a) =>
      `- ${oneLine(a)}\n  score ${a.score.toFixed(2)}; ${a.explanation}\n  Open in the console: ${links.deepLink(a.id)}\n  On the web: ${links.webLink(a.id)}`,
  )
  const text = `${intro}\n\n${lines.join('\n\n')}\n\nYou receive this because e-mail alerts are on in your Anomalyze alert settings.\n`
  const items = anomalies
    .map(
      (a) =>
        `<li><strong>${escapeHtml(oneLine(a))}</strong><br>score ${a.score.toFixed(2)}; ${escapeHtml(a.explanation)}` +
        (a.ruleViolations.length > 0 ? `<br>rules: ${escapeHtml(a.ruleViolations.join(', '))}` : '') +
        `<br><a href="${escapeHtml(links.deepLink(a.id))}">Open in the console</a> · <a href="${escapeHtml(links.webLink(a.id))}">Open on the web</a></li>`,
    )
    .join('\n')
  const html = `<!doctype html><html><body><p>${escapeHtml(intro)}</p><ul>\n${items}\n</ul><p style="color:#666">You receive this because e-mail alerts are on in your Anomalyze alert settings.</p></body></html>`
  return { subject, text, html }
}

/** SMS stays within two segments: the essentials and one link. */
export function composeSms(anomalies: AlertAnomaly[], links: AlertLinks): string {
  const first = anomalies[0]
  if (first === undefined) throw new Error('composeSms needs at least one anomaly')
  if (anomalies.length > 1) {
    return `Anomalyze: ${anomalies.length} anomalies in a burst (highest ${highest(anomalies)}). First: ${first.currency} ${first.amount} at ${first.merchantId}. ${links.webLink(first.id)}`
  }
  return `Anomalyze ${oneLine(first)}. ${links.webLink(first.id)}`
}

/**
 * TwiML for an alert call: the summary is spoken, then one key press acknowledges
 * (Twilio posts the digit to `ackUrl`); silence repeats nothing and hangs up.
 */
export function composeVoiceTwiml(anomalies: AlertAnomaly[], ackUrl: string): string {
  const first = anomalies[0]
  if (first === undefined) throw new Error('composeVoiceTwiml needs at least one anomaly')
  const spoken =
    anomalies.length > 1
      ? `Anomalyze alert. ${anomalies.length} anomalies arrived in a burst. The highest severity is ${highest(anomalies)}.`
      : `Anomalyze alert. A ${first.severity.toLowerCase()} severity anomaly: ${first.amount} ${first.currency} at merchant ${first.merchantId}. ${first.explanation}`
  const response = new twilio.twiml.VoiceResponse()
  const gather = response.gather({ numDigits: 1, action: ackUrl, method: 'POST', timeout: 8 })
  gather.say(spoken)
  gather.say('Press any key to acknowledge.')
  response.say('No key was pressed. The alert stays open in your console. Goodbye.')
  return response.toString()
}

const ORDER = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']
function highest(anomalies: AlertAnomaly[]): string {
  return anomalies.reduce((top, a) => (ORDER.indexOf(a.severity) > ORDER.indexOf(top) ? a.severity : top), 'LOW')
}

/** The daily digest: counts by severity and the highest-scored anomalies of the last day. */
export function composeDigest(localDate: string, counts: Record<string, number>, top: AlertAnomaly[], links: AlertLinks): EmailContent {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0)
  const bySeverity = ORDER.slice()
    .reverse()
    .map((s) => `${s}: ${counts[s] ?? 0}`)
    .join(', ')
  const subject = `[Anomalyze] Daily digest ${localDate}: ${total} ${total === 1 ? 'anomaly' : 'anomalies'}`
  const lines = top.map((a) => `- ${oneLine(a)}, score ${a.score.toFixed(2)}\n  ${links.deepLink(a.id)}  ${links.webLink(a.id)}`)
  const text = `${total} anomalies in the last 24 hours (${bySeverity}).\n\nHighest scores:\n${lines.join('\n')}\n\nYou receive this because the daily digest is on in your Anomalyze alert settings.\n`
  const items = top
    .map(
      (a) =>
        `<li>${escapeHtml(oneLine(a))}, score ${a.score.toFixed(2)} · <a href="${escapeHtml(links.deepLink(a.id))}">console</a> · <a href="${escapeHtml(links.webLink(a.id))}">web</a></li>`,
    )
    .join('\n')
  const html = `<!doctype html><html><body><p>${total} anomalies in the last 24 hours (${escapeHtml(bySeverity)}).</p><p>Highest scores:</p><ul>\n${items}\n</ul><p style="color:#666">You receive this because the daily digest is on in your Anomalyze alert settings.</p></body></html>`
  return { subject, text, html }
}
