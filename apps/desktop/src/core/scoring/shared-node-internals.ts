/** The shared engine's CSV reader and writer, in one place for the scoring core. */
export { csvRecords, csvLine, type CsvRecord } from '@anomalyze/shared/node'
