import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'

export type { Logger }

/** How the server's log lines look to whoever reads them (see createLogger). */
export const PRETTY_OPTIONS = {
  colorize: true,
  translateTime: 'SYS:HH:MM:ss',
  ignore: 'pid,hostname,service',
  singleLine: true,
} as const

/**
 * One line per event, with request ids added by Fastify: readable text when a person
 * watches a terminal, JSON (for log shippers and `npm start`, which pretty-prints it
 * itself) when stdout is piped or a file. LOG_FORMAT=json|pretty overrides the guess.
 */
export function createLogger(level: string, format?: 'json' | 'pretty'): Logger {
  const chosen = format ?? (process.stdout.isTTY ? 'pretty' : 'json')
  const base = { level, base: { service: 'anomalyze-server' } }
  return chosen === 'pretty' ? pino(base, pretty({ ...PRETTY_OPTIONS, sync: true })) : pino(base)
}
