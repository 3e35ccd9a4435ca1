/** The shared engine's CSV reader, writer and scoring pipeline, in one place for the scoring core. */
export { binaryFileProblem, csvRecords, csvLine, csvField, gatherRows, scoreRowBatches, isAlert, type CsvRecord, type CsvRow, type ScoredChunk, type ScoredRow } from '@anomalyze/shared/node'
