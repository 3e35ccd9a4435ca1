import type { FastifyPluginAsync } from 'fastify'

/** The id shape the console accepts in its deep links (apps/desktop/src/contract/deep-link.ts). */
const ID = /^[A-Za-z0-9_-]{1,100}$/

/** What a web link in a message can point at, and how its page names it. */
interface LinkKind {
  /** The server path's first segment: `/<path>/<id>`. */
  path: string
  /** The console deep link's host: `anomalyze://<host>/<id>`. */
  host: string
  /** What the page calls it, in the title and the link. */
  noun: string
  /** What the reader does where no console is installed. */
  byHand: (id: string) => string
}

const KINDS: readonly LinkKind[] = [
  {
    path: 'anomalies',
    host: 'anomaly',
    noun: 'alert',
    byHand: (id) => `Sign in to the Anomalyze console and search the queue for <code>${id}</code>.`,
  },
  {
    path: 'cases',
    host: 'case',
    noun: 'case',
    byHand: (id) => `Sign in to the Anomalyze console, sync, and find case <code>${id}</code> under Cases (queue All).`,
  },
]

/**
 * `GET /anomalies/<id>` and `GET /cases/<id>`: where the web links in alert and case
 * notice e-mails (and SMS) land. Each hands over to the desktop console through its
 * `anomalyze://anomaly/<id>` or `anomalyze://case/<id>` deep link, and says how to find
 * the item by hand where no console is installed. They show no data: the link carries
 * no credentials, so anyone holding it learns nothing but the id it already shows.
 */
export function consoleLinkRoutes(): FastifyPluginAsync {
  return async (app) => {
    for (const kind of KINDS) {
      app.get<{ Params: { id: string } }>(`/${kind.path}/:id`, async (request, reply) => {
        const { id } = request.params
        // The id goes into HTML and a URL unescaped: only the plain shape passes.
        if (!ID.test(id)) return reply.code(404).type('text/plain').send(`No such ${kind.noun} link.`)
        return reply.type('text/html; charset=utf-8').send(linkPage(kind, id))
      })
    }
  }
}

function linkPage(kind: LinkKind, id: string): string {
  const deepLink = `anomalyze://${kind.host}/${id}`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Anomalyze ${kind.noun} ${id}</title>
<meta http-equiv="refresh" content="0;url=${deepLink}"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto">
<h1>Opening the ${kind.noun} in Anomalyze…</h1>
<p><a href="${deepLink}">Open ${kind.noun} ${id} in the console</a>.</p>
<p>No console on this machine? ${kind.byHand(id)}</p>
</body></html>`
}
