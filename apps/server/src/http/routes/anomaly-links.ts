import type { FastifyPluginAsync } from 'fastify'

const ID = /^[A-Za-z0-9_-]{1,100}$/

/**
 * `GET /anomalies/<id>`: where the web link in alert e-mails lands. It hands over to
 * the desktop console through its `anomalyze://anomaly/<id>` deep link, and says how
 * to find the alert by hand where no console is installed. It shows no anomaly data:
 * the link carries no credentials.
 */
export function anomalyLinkRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { id: string } }>('/anomalies/:id', async (request, reply) => {
      const { id } = request.params
      if (!ID.test(id)) return reply.code(404).type('text/plain').send('No such anomaly link.')
      const deepLink = `anomalyze://anomaly/${id}`
      return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Anomalyze alert ${id}</title>
<meta http-equiv="refresh" content="0;url=${deepLink}"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto">
<h1>Opening the alert in Anomalyze…</h1>
<p><a href="${deepLink}">Open anomaly ${id} in the console</a>.</p>
<p>No console on this machine? Sign in to the Anomalyze console and search the queue for <code>${id}</code>.</p>
</body></html>`)
    })
  }
}
