import { pino } from 'pino'

/** Tests keep their output for failures; set TEST_LOG_LEVEL=debug to see server logs. */
export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })
