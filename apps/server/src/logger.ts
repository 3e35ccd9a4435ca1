import { pino, type Logger } from 'pino'

export type { Logger }

/** JSON logs to stdout; one line per event, with request ids added by Fastify. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'anomalyze-server' } })
}
